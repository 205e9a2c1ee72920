# technique: benign (IronPython 2): reads os.environ['USERNAME'] and COMPUTERNAME only to print a model-health report header
import os
import datetime
from Autodesk.Revit.DB import FilteredElementCollector, ImportInstance

doc = __revit__.ActiveUIDocument.Document


def header():
    user = os.environ.get("USERNAME", "unknown")
    return "Model health: %s\nRun by %s on %s\n%s" % (
        doc.Title, user, datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "=" * 40)


def stats():
    warnings = len(doc.GetWarnings())
    cad = FilteredElementCollector(doc).OfClass(ImportInstance).GetElementCount()
    return [("Warnings", warnings), ("CAD imports/links", cad)]


print header()
for label, value in stats():
    print "%-20s %d" % (label, value)
