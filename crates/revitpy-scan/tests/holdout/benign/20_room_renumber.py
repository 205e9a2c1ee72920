# technique: benign (IronPython 2): renumbers rooms on the active level left-to-right inside a Transaction with except Exception, e rollback
from Autodesk.Revit.DB import FilteredElementCollector, BuiltInCategory, Transaction

doc = __revit__.ActiveUIDocument.Document
level_id = doc.ActiveView.GenLevel.Id if doc.ActiveView.GenLevel else None


def rooms_on_level():
    rooms = FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Rooms) \
        .WhereElementIsNotElementType()
    result = [r for r in rooms if r.Area > 0 and (level_id is None or r.LevelId == level_id)]
    result.sort(key=lambda r: (round(-r.Location.Point.Y, 1), r.Location.Point.X))
    return result


t = Transaction(doc, "Renumber rooms")
t.Start()
try:
    for i, room in enumerate(rooms_on_level()):
        room.Number = "%03d" % (101 + i)
    t.Commit()
    print "Renumbered rooms"
except Exception, e:
    t.RollBack()
    print "Failed: %s" % e
