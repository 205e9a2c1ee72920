# technique: exports all A-series sheets to one combined PDF with PDFExportOptions into Documents\RevitPDF
import os

from System.Collections.Generic import List
from Autodesk.Revit.DB import FilteredElementCollector, ViewSheet, PDFExportOptions, ElementId

doc = __revit__.ActiveUIDocument.Document
OUT_DIR = os.path.join(os.path.expanduser("~"), "Documents", "RevitPDF")
os.makedirs(OUT_DIR, exist_ok=True)

sheets = sorted(
    (s for s in FilteredElementCollector(doc).OfClass(ViewSheet) if not s.IsPlaceholder),
    key=lambda s: s.SheetNumber,
)
ids = List[ElementId]([s.Id for s in sheets if s.SheetNumber.startswith("A")])

opts = PDFExportOptions()
opts.Combine = True
opts.FileName = "%s_A-series" % os.path.splitext(doc.Title)[0]
opts.HideCropBoundaries = True
opts.HideScopeBoxes = True

if ids.Count:
    ok = doc.Export(OUT_DIR, ids, opts)
    print("Exported %d sheets: %s" % (ids.Count, ok))
else:
    print("No A-series sheets found.")
