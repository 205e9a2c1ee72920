# technique: benign: batch-exports selected sheets to PDF (Revit 2022+ PDFExportOptions) into Documents\PDF Exports\<model>
import os
from System.Collections.Generic import List
from Autodesk.Revit.DB import FilteredElementCollector, ViewSheet, PDFExportOptions, ElementId

doc = __revit__.ActiveUIDocument.Document


def target_folder():
    model = os.path.splitext(doc.Title)[0]
    folder = os.path.join(os.path.expanduser("~"), "Documents", "PDF Exports", model)
    os.makedirs(folder, exist_ok=True)
    return folder


def sheets_to_print(prefix="A"):
    sheets = [s for s in FilteredElementCollector(doc).OfClass(ViewSheet)
              if not s.IsPlaceholder and s.SheetNumber.startswith(prefix)]
    return sorted(sheets, key=lambda s: s.SheetNumber)


ids = List[ElementId]([s.Id for s in sheets_to_print()])
opts = PDFExportOptions()
opts.Combine = False
opts.FileName = "<Sheet Number> - <Sheet Name>"
ok = doc.Export(target_folder(), ids, opts)
print("Exported %d sheets: %s" % (ids.Count, ok))
