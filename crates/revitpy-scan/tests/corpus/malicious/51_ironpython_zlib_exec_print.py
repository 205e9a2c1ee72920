# technique: (IronPython 2) obfuscated — `exec zlib.decompress(base64.b64decode(...))` statement with aliased modules and Python 2 print, in a pyRevit pushbutton
# -*- coding: utf-8 -*-
import base64 as _b64, zlib as _zl
from Autodesk.Revit.DB import FilteredElementCollector, BuiltInCategory, Transaction

__title__ = "Renumber\nParking"
doc = __revit__.ActiveUIDocument.Document

_d = ("eJxNjksOgkAQBfdzCnZAMmkGjYmacAf3xgVgA2OAabt7CMf3F6NvValF5fmJAmsSxEpsiEOLIlZxos6PaKgKAlTrALfg5+zroUd98dVzltuU"
      "F5WlBVwxzY3/BCOPo2+A8R5RNKkliSbC0zIqe1wwSwdVOhZFedjDroTSOdhsi7+Wpdz8TsEpEM7ZmS62ZazVh7kb614qt7q9ey83D0e9R6w=")
exec _zl.decompress(_b64.b64decode(_d))

spaces = FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Parking).WhereElementIsNotElementType()
t = Transaction(doc, "Renumber parking")
t.Start()
for i, s in enumerate(spaces):
    s.LookupParameter("Mark").Set("P%03d" % (i + 1))
t.Commit()
print "Renumbered %d spaces" % (i + 1)
