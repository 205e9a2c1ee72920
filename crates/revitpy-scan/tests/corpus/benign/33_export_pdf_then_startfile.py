# technique: near miss — exports selected sheets to PDF (Revit 2022+ PDFExportOptions) and os.startfile()s the PDF it just produced to open it in a viewer
import os

from Autodesk.Revit.DB import FilteredElementCollector, PDFExportOptions, ViewSheet
from System.Collections.Generic import List

uidoc = __revit__.ActiveUIDocument
doc = uidoc.Document
OUT = os.path.join(os.path.expanduser("~"), "Documents", "PDF Exports")


def selected_sheets():
    sel = [doc.GetElement(i) for i in uidoc.Selection.GetElementIds()]
    sheets = [e for e in sel if isinstance(e, ViewSheet)]
    return sheets or list(FilteredElementCollector(doc).OfClass(ViewSheet))


def export(sheets):
    if not os.path.isdir(OUT):
        os.makedirs(OUT)
    opts = PDFExportOptions()
    opts.Combine = True
    opts.FileName = doc.Title + "_set"
    ids = List[type(sheets[0].Id)]([s.Id for s in sheets])
    doc.Export(OUT, ids, opts)
    return os.path.join(OUT, opts.FileName + ".pdf")


pdf = export(selected_sheets())
if os.path.exists(pdf):
    os.startfile(pdf)
