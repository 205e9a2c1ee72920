# technique: plain Revit API use — collects walls with FilteredElementCollector and prints length/type per level; no I/O beyond stdout
from collections import defaultdict

from Autodesk.Revit.DB import BuiltInCategory, BuiltInParameter, FilteredElementCollector, UnitUtils, UnitTypeId

doc = __revit__.ActiveUIDocument.Document


def walls_by_level():
    walls = (
        FilteredElementCollector(doc)
        .OfCategory(BuiltInCategory.OST_Walls)
        .WhereElementIsNotElementType()
        .ToElements()
    )
    grouped = defaultdict(list)
    for w in walls:
        level = doc.GetElement(w.LevelId)
        grouped[level.Name if level else "<none>"].append(w)
    return grouped


def wall_length_m(wall):
    p = wall.get_Parameter(BuiltInParameter.CURVE_ELEM_LENGTH)
    return UnitUtils.ConvertFromInternalUnits(p.AsDouble(), UnitTypeId.Meters) if p else 0.0


def main():
    for level, walls in sorted(walls_by_level().items()):
        total = sum(wall_length_m(w) for w in walls)
        print("{:<20} {:>4} walls {:>10.2f} m".format(level, len(walls), total))
        types = defaultdict(int)
        for w in walls:
            types[w.WallType.Name] += 1
        for name, n in sorted(types.items()):
            print("    {:<30} {}".format(name, n))


main()
