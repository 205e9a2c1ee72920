# technique: near miss - copies selected element ids to the clipboard via System.Windows.Forms.Clipboard (clr) for pasting into reports
import clr

clr.AddReference("System.Windows.Forms")
from System.Windows.Forms import Clipboard  # noqa: E402

from Autodesk.Revit.UI import TaskDialog  # noqa: E402

uidoc = __revit__.ActiveUIDocument
doc = uidoc.Document

ids = list(uidoc.Selection.GetElementIds())
if not ids:
    TaskDialog.Show("Copy IDs", "Select some elements first.")
else:
    rows = []
    for eid in ids:
        el = doc.GetElement(eid)
        cat = el.Category.Name if el.Category else "-"
        rows.append("%d\t%s\t%s" % (eid.IntegerValue, cat, el.Name))
    Clipboard.SetText("\r\n".join(rows))
    TaskDialog.Show("Copy IDs", "Copied %d element ids to the clipboard." % len(rows))
