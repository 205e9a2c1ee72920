# technique: exports door schedule data to an .xlsx in the user's Documents with openpyxl, then opens it with os.startfile (user's own output file)
import os

from openpyxl import Workbook
from openpyxl.styles import Font

from Autodesk.Revit.DB import BuiltInCategory, FilteredElementCollector

doc = __revit__.ActiveUIDocument.Document
HEADERS = ["Mark", "Type", "Level", "Fire Rating", "Width", "Height"]


def door_rows():
    for d in FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Doors).WhereElementIsNotElementType():
        sym = d.Symbol
        level = doc.GetElement(d.LevelId)
        yield [
            (d.LookupParameter("Mark").AsString() or "") if d.LookupParameter("Mark") else "",
            sym.Family.Name + " : " + sym.Name,
            level.Name if level else "",
            (sym.LookupParameter("Fire Rating").AsString() or "") if sym.LookupParameter("Fire Rating") else "",
            sym.LookupParameter("Width").AsValueString() if sym.LookupParameter("Width") else "",
            sym.LookupParameter("Height").AsValueString() if sym.LookupParameter("Height") else "",
        ]


wb = Workbook()
ws = wb.active
ws.title = "Doors"
ws.append(HEADERS)
for cell in ws[1]:
    cell.font = Font(bold=True)
for row in door_rows():
    ws.append(row)
out = os.path.join(os.path.expanduser("~"), "Documents", doc.Title + "_doors.xlsx")
wb.save(out)
os.startfile(out)
