# technique: exports a ViewSchedule's table to CSV in the user's Documents\RevitExports folder (writing user-chosen output is legitimate)
import csv
import os

from Autodesk.Revit.DB import FilteredElementCollector, SectionType, ViewSchedule

doc = __revit__.ActiveUIDocument.Document
OUT_DIR = os.path.join(os.path.expanduser("~"), "Documents", "RevitExports")


def schedule_rows(schedule):
    table = schedule.GetTableData()
    body = table.GetSectionData(SectionType.Body)
    for r in range(body.NumberOfRows):
        yield [schedule.GetCellText(SectionType.Body, r, c) for c in range(body.NumberOfColumns)]


def export_all():
    if not os.path.isdir(OUT_DIR):
        os.makedirs(OUT_DIR)
    written = []
    for sched in FilteredElementCollector(doc).OfClass(ViewSchedule):
        if sched.IsTemplate or sched.IsTitleblockRevisionSchedule:
            continue
        safe = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in sched.Name)
        path = os.path.join(OUT_DIR, safe + ".csv")
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(schedule_rows(sched))
        written.append(path)
    return written


for p in export_all():
    print("Wrote", p)
