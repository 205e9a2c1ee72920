# technique: benign: writes a door schedule (mark, level, fire rating) to CSV in the user's Documents folder
import csv
import os
from Autodesk.Revit.DB import FilteredElementCollector, BuiltInCategory, BuiltInParameter

doc = __revit__.ActiveUIDocument.Document


def door_rows():
    doors = (FilteredElementCollector(doc)
             .OfCategory(BuiltInCategory.OST_Doors)
             .WhereElementIsNotElementType())
    for d in doors:
        mark = d.get_Parameter(BuiltInParameter.ALL_MODEL_MARK)
        rating = d.LookupParameter("Fire Rating")
        level = doc.GetElement(d.LevelId)
        yield [mark.AsString() if mark else "",
               level.Name if level else "",
               d.Symbol.Family.Name,
               rating.AsString() if rating else ""]


out_dir = os.path.join(os.path.expanduser("~"), "Documents", "Revit Schedules")
os.makedirs(out_dir, exist_ok=True)
out = os.path.join(out_dir, "%s_doors.csv" % os.path.splitext(doc.Title)[0])
with open(out, "w", newline="", encoding="utf-8") as fh:
    w = csv.writer(fh)
    w.writerow(["Mark", "Level", "Family", "Fire Rating"])
    w.writerows(door_rows())
print("Wrote", out)
