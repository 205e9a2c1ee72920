# technique: read-only report of levels and elevations converted to metres, printed as a table; no file or network access
from Autodesk.Revit.DB import FilteredElementCollector, Level, UnitTypeId, UnitUtils

doc = __revit__.ActiveUIDocument.Document


def levels():
    return sorted(FilteredElementCollector(doc).OfClass(Level).ToElements(), key=lambda l: l.Elevation)


def to_m(v):
    return UnitUtils.ConvertFromInternalUnits(v, UnitTypeId.Meters)


def table():
    rows = []
    prev = None
    for lvl in levels():
        elev = to_m(lvl.Elevation)
        height = elev - prev if prev is not None else 0.0
        rows.append((lvl.Name, elev, height))
        prev = elev
    return rows


print("{:<25}{:>12}{:>12}".format("Level", "Elev (m)", "Floor-to-floor"))
for name, elev, h in table():
    print("{:<25}{:>12.3f}{:>12.3f}".format(name, elev, h))
