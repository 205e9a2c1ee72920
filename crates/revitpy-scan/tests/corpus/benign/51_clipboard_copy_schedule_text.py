# technique: near miss — writes schedule text to the clipboard ONCE on user request via clr System.Windows.Forms.Clipboard (no polling, no reading/replacing)
import clr

clr.AddReference("System.Windows.Forms")
from System.Windows.Forms import Clipboard

from Autodesk.Revit.DB import SectionType, ViewSchedule

doc = __revit__.ActiveUIDocument.Document


def schedule_as_tsv(schedule):
    body = schedule.GetTableData().GetSectionData(SectionType.Body)
    lines = []
    for r in range(body.NumberOfRows):
        lines.append("\t".join(schedule.GetCellText(SectionType.Body, r, c) for c in range(body.NumberOfColumns)))
    return "\n".join(lines)


view = doc.ActiveView
if isinstance(view, ViewSchedule):
    Clipboard.SetText(schedule_as_tsv(view))
    print("Schedule copied - paste it into Excel.")
else:
    print("Open a schedule view first.")
