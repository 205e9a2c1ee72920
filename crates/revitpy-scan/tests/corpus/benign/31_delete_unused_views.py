# technique: near miss — doc.Delete of views not placed on any sheet, inside a Transaction after user confirmation; deletion limited to the model
from Autodesk.Revit.DB import FilteredElementCollector, Transaction, View, ViewType, Viewport
from Autodesk.Revit.UI import TaskDialog, TaskDialogCommonButtons, TaskDialogResult

doc = __revit__.ActiveUIDocument.Document
KEEP_TYPES = {ViewType.ProjectBrowser, ViewType.SystemBrowser, ViewType.Internal, ViewType.DrawingSheet, ViewType.Undefined}


def unused_views():
    placed = {vp.ViewId for vp in FilteredElementCollector(doc).OfClass(Viewport)}
    active = doc.ActiveView.Id
    for v in FilteredElementCollector(doc).OfClass(View):
        if v.IsTemplate or v.ViewType in KEEP_TYPES or v.Id in placed or v.Id == active:
            continue
        if v.Name.startswith("KEEP"):
            continue
        yield v


views = list(unused_views())
if views:
    answer = TaskDialog.Show(
        "Purge views", "Delete {} views not on sheets?".format(len(views)), TaskDialogCommonButtons.Yes | TaskDialogCommonButtons.No
    )
    if answer == TaskDialogResult.Yes:
        with Transaction(doc, "Delete unused views") as t:
            t.Start()
            for v in views:
                doc.Delete(v.Id)
            t.Commit()
