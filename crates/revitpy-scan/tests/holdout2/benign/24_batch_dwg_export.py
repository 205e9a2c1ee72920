# technique: exports each selected sheet to DWG with DWGExportOptions into a folder the user picks
import os

from System.Collections.Generic import List
from Autodesk.Revit.DB import DWGExportOptions, ElementId, ViewSheet, ACADVersion
from pyrevit import forms

doc = __revit__.ActiveUIDocument.Document
uidoc = __revit__.ActiveUIDocument

folder = forms.pick_folder(title="Choose DWG export folder")
if not folder:
    forms.alert("No folder chosen.", exitscript=True)

sheets = [doc.GetElement(i) for i in uidoc.Selection.GetElementIds()]
sheets = [s for s in sheets if isinstance(s, ViewSheet)]

opts = DWGExportOptions()
opts.FileVersion = ACADVersion.R2018
opts.MergedViews = True
opts.SharedCoords = True

exported = 0
for sheet in sheets:
    ids = List[ElementId]()
    ids.Add(sheet.Id)
    name = "%s_%s" % (sheet.SheetNumber, sheet.Name.replace("/", "-"))
    if doc.Export(folder, name, ids, opts):
        exported += 1

print("Exported %d of %d sheets to %s" % (exported, len(sheets), os.path.normpath(folder)))
