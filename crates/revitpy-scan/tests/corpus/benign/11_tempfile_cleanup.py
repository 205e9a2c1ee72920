# technique: near miss — tempfile.mkdtemp for intermediate DWG exports, then shutil.rmtree of that same temp dir it created (cleanup, not destruction)
import os
import shutil
import tempfile
import zipfile

from Autodesk.Revit.DB import DWGExportOptions, FilteredElementCollector, ViewSheet
from System.Collections.Generic import List

doc = __revit__.ActiveUIDocument.Document


def export_sheets_zip(target_zip):
    work = tempfile.mkdtemp(prefix="rvt_dwg_")
    try:
        opts = DWGExportOptions()
        for sheet in FilteredElementCollector(doc).OfClass(ViewSheet):
            ids = List[type(sheet.Id)]([sheet.Id])
            doc.Export(work, sheet.SheetNumber, ids, opts)
        with zipfile.ZipFile(target_zip, "w", zipfile.ZIP_DEFLATED) as z:
            for fn in os.listdir(work):
                z.write(os.path.join(work, fn), fn)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target_zip


print(export_sheets_zip(os.path.join(os.path.expanduser("~"), "Documents", "sheets_dwg.zip")))
