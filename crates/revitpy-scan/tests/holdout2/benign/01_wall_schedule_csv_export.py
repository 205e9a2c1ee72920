# technique: exports wall type, length and area to a CSV under the user's Documents folder
import csv
import os

from Autodesk.Revit.DB import FilteredElementCollector, Wall, BuiltInParameter, UnitUtils, UnitTypeId

doc = __revit__.ActiveUIDocument.Document


def wall_rows():
    for w in FilteredElementCollector(doc).OfClass(Wall):
        length = w.get_Parameter(BuiltInParameter.CURVE_ELEM_LENGTH).AsDouble()
        area = w.get_Parameter(BuiltInParameter.HOST_AREA_COMPUTED).AsDouble()
        yield {
            "Id": w.Id.IntegerValue,
            "Type": w.WallType.Name,
            "Length_m": round(UnitUtils.ConvertFromInternalUnits(length, UnitTypeId.Meters), 3),
            "Area_m2": round(UnitUtils.ConvertFromInternalUnits(area, UnitTypeId.SquareMeters), 3),
        }


out_dir = os.path.join(os.path.expanduser("~"), "Documents", "RevitExports")
os.makedirs(out_dir, exist_ok=True)
title = os.path.splitext(doc.Title)[0]
out_path = os.path.join(out_dir, "%s_walls.csv" % title)

with open(out_path, "w", newline="", encoding="utf-8") as fh:
    writer = csv.DictWriter(fh, fieldnames=["Id", "Type", "Length_m", "Area_m2"])
    writer.writeheader()
    for row in wall_rows():
        writer.writerow(row)

print("Wrote %s" % out_path)
