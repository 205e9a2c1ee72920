# technique: (IronPython 2) TaskDialog with command links to pick an export scope, then counts elements; Python 2 print/except syntax
# -*- coding: utf-8 -*-
from Autodesk.Revit.UI import TaskDialog, TaskDialogCommandLinkId, TaskDialogResult
from Autodesk.Revit.DB import FilteredElementCollector, BuiltInCategory

uidoc = __revit__.ActiveUIDocument
doc = uidoc.Document

dlg = TaskDialog("Export scope")
dlg.MainInstruction = "What should be exported?"
dlg.AddCommandLink(TaskDialogCommandLinkId.CommandLink1, "Active view")
dlg.AddCommandLink(TaskDialogCommandLinkId.CommandLink2, "Whole model")
res = dlg.Show()

try:
    if res == TaskDialogResult.CommandLink1:
        col = FilteredElementCollector(doc, doc.ActiveView.Id)
    elif res == TaskDialogResult.CommandLink2:
        col = FilteredElementCollector(doc)
    else:
        col = None
    if col is not None:
        n = col.OfCategory(BuiltInCategory.OST_Furniture).WhereElementIsNotElementType().GetElementCount()
        print "Furniture elements in scope: %d" % n
except Exception, e:
    print "Failed: %s" % e
