# technique: benign: zlib-compresses a JSON cache of element parameter values in LOCALAPPDATA and decompresses it on load (data only)
import json
import os
import zlib
from Autodesk.Revit.DB import FilteredElementCollector, BuiltInCategory

CACHE = os.path.join(os.environ.get("LOCALAPPDATA", "."), "AcmeRevitTools", "rooms.cache")


def snapshot(doc):
    rooms = FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Rooms)
    return {str(r.Id.IntegerValue): {"number": r.Number, "name": r.LookupParameter("Name").AsString(),
                                     "area": r.Area} for r in rooms}


def write_cache(data):
    os.makedirs(os.path.dirname(CACHE), exist_ok=True)
    with open(CACHE, "wb") as fh:
        fh.write(zlib.compress(json.dumps(data).encode("utf-8"), 6))


def read_cache():
    try:
        with open(CACHE, "rb") as fh:
            return json.loads(zlib.decompress(fh.read()).decode("utf-8"))
    except (OSError, zlib.error, ValueError):
        return {}


doc = __revit__.ActiveUIDocument.Document
old, new = read_cache(), snapshot(doc)
changed = [k for k in new if old.get(k) != new[k]]
print("%d rooms changed since last run" % len(changed))
write_cache(new)
