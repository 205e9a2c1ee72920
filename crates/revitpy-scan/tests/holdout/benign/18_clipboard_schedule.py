# technique: benign (IronPython 2): copies the active schedule as tab-separated text to the clipboard via clr System.Windows.Forms.Clipboard
import clr
clr.AddReference("System.Windows.Forms")
from System.Windows.Forms import Clipboard
from Autodesk.Revit.DB import ViewSchedule, SectionType
from Autodesk.Revit.UI import TaskDialog

doc = __revit__.ActiveUIDocument.Document
view = doc.ActiveView

if not isinstance(view, ViewSchedule):
    TaskDialog.Show("Copy schedule", "Open a schedule view first.")
else:
    body = view.GetTableData().GetSectionData(SectionType.Body)
    lines = []
    for r in range(body.NumberOfRows):
        cells = [view.GetCellText(SectionType.Body, r, c) for c in range(body.NumberOfColumns)]
        lines.append("\t".join(cells))
    try:
        Clipboard.SetText("\r\n".join(lines))
        print "Copied %d rows" % body.NumberOfRows
    except Exception, e:
        TaskDialog.Show("Copy schedule", "Clipboard error: %s" % e)
