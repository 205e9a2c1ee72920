# technique: model edit inside a Transaction — renumbers rooms per level by X/Y position; only touches the open Revit document
from Autodesk.Revit.DB import BuiltInCategory, FilteredElementCollector, Transaction
from Autodesk.Revit.UI import TaskDialog

doc = __revit__.ActiveUIDocument.Document


def rooms_on_levels():
    rooms = [
        r for r in FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Rooms).WhereElementIsNotElementType()
        if r.Area > 0 and r.Location is not None
    ]
    by_level = {}
    for r in rooms:
        by_level.setdefault(r.Level.Name, []).append(r)
    return by_level


def renumber(start=1):
    changed = 0
    t = Transaction(doc, "Renumber rooms")
    t.Start()
    try:
        for level_idx, (level, rooms) in enumerate(sorted(rooms_on_levels().items())):
            rooms.sort(key=lambda r: (round(-r.Location.Point.Y, 1), round(r.Location.Point.X, 1)))
            for i, room in enumerate(rooms, start):
                room.Number = "{}{:02d}".format(level_idx + 1, i)
                changed += 1
        t.Commit()
    except Exception:
        t.RollBack()
        raise
    return changed


TaskDialog.Show("Renumber", "{} rooms renumbered.".format(renumber()))
