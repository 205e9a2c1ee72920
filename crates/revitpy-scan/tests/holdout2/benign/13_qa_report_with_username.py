# technique: near miss - reads USERNAME/getpass only to stamp the author on a local model QA report written to Documents
import datetime
import getpass
import os

from Autodesk.Revit.DB import FilteredElementCollector, BuiltInCategory

doc = __revit__.ActiveUIDocument.Document


def count(cat):
    return FilteredElementCollector(doc).OfCategory(cat).WhereElementIsNotElementType().GetElementCount()


author = os.environ.get("USERNAME") or getpass.getuser()
checks = [
    ("Warnings", len(doc.GetWarnings())),
    ("Rooms", count(BuiltInCategory.OST_Rooms)),
    ("Doors", count(BuiltInCategory.OST_Doors)),
    ("Imported CAD", count(BuiltInCategory.OST_ImportObjectStyles)),
    ("Groups", count(BuiltInCategory.OST_IOSModelGroups)),
]

lines = [
    "Model QA report",
    "Project : %s" % doc.Title,
    "Author  : %s" % author,
    "Date    : %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
    "",
]
lines += ["%-14s %6d" % c for c in checks]

out = os.path.join(os.path.expanduser("~"), "Documents", "QA_%s.txt" % os.path.splitext(doc.Title)[0])
with open(out, "w", encoding="utf-8") as fh:
    fh.write("\n".join(lines) + "\n")
print("Saved %s" % out)
