# technique: near miss - subprocess with a fixed argument list opens Explorer on the add-in's export folder (no shell, no user-controlled command)
import os
import subprocess

from Autodesk.Revit.DB import FilteredElementCollector, ImageExportOptions, ExportRange, ImageFileType, View3D

doc = __revit__.ActiveUIDocument.Document
EXPORT_DIR = os.path.join(os.path.expanduser("~"), "Documents", "RevitPyImages")
os.makedirs(EXPORT_DIR, exist_ok=True)

views = [v for v in FilteredElementCollector(doc).OfClass(View3D) if not v.IsTemplate]
if views:
    opts = ImageExportOptions()
    opts.ExportRange = ExportRange.SetOfViews
    opts.SetViewsAndSheets([views[0].Id])
    opts.FilePath = os.path.join(EXPORT_DIR, "3d_preview")
    opts.HLRandWFViewsFileType = ImageFileType.PNG
    opts.PixelSize = 1600
    doc.ExportImage(opts)

subprocess.Popen(["explorer.exe", os.path.normpath(EXPORT_DIR)], shell=False)
