# technique: (IronPython 2) room name/number/area report printed and written to a text file in the user's Documents
import os
import codecs
from Autodesk.Revit.DB import FilteredElementCollector, BuiltInCategory, SpatialElement

doc = __revit__.ActiveUIDocument.Document

rooms = FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Rooms) \
    .WhereElementIsNotElementType().ToElements()

rows = []
for r in rooms:
    if r.Area <= 0:
        continue
    area_m2 = r.Area * 0.09290304
    rows.append((r.Number, r.LookupParameter("Name").AsString(), area_m2))

rows.sort(key=lambda x: x[0])
total = sum(x[2] for x in rows)

print "%-8s %-30s %10s" % ("Number", "Name", "Area m2")
for num, name, area in rows:
    print "%-8s %-30s %10.2f" % (num, name, area)
print "Total placed rooms: %d, area %.2f m2" % (len(rows), total)

out = os.path.join(os.path.expanduser("~"), "Documents", "room_areas.txt")
fh = codecs.open(out, "w", "utf-8")
try:
    for num, name, area in rows:
        fh.write(u"%s\t%s\t%.2f\n" % (num, name, area))
finally:
    fh.close()
print "Saved to", out
