# technique: benign (IronPython 2): .NET WebClient.DownloadString of a JSON content catalog over HTTPS, parsed with json and shown in a list (no code loading)
import clr
import json
clr.AddReference("System")
from System.Net import WebClient, ServicePointManager, SecurityProtocolType
from Autodesk.Revit.UI import TaskDialog

CATALOG_URL = "https://content.example.com/revit/catalog.json"
ServicePointManager.SecurityProtocol = SecurityProtocolType.Tls12


def fetch_catalog():
    wc = WebClient()
    wc.Headers.Add("User-Agent", "AcmeRevitTools/2.4")
    try:
        return json.loads(wc.DownloadString(CATALOG_URL))
    except Exception, e:
        print "Catalog unavailable: %s" % e
        return {"families": []}
    finally:
        wc.Dispose()


cat = fetch_catalog()
lines = ["%s (%s)" % (f["name"], f.get("category", "?")) for f in cat["families"]]
TaskDialog.Show("Content catalog", "\n".join(lines[:30]) or "No items")
