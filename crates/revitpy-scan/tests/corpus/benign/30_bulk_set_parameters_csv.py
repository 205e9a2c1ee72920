# technique: reads a user-chosen CSV (Mark, Parameter, Value) and sets element parameters in a Transaction; csv parsing only
import csv

from Autodesk.Revit.DB import BuiltInCategory, FilteredElementCollector, StorageType, Transaction
from Autodesk.Revit.UI import TaskDialog

doc = __revit__.ActiveUIDocument.Document


def by_mark(category=BuiltInCategory.OST_Doors):
    out = {}
    for e in FilteredElementCollector(doc).OfCategory(category).WhereElementIsNotElementType():
        p = e.LookupParameter("Mark")
        if p and p.AsString():
            out[p.AsString()] = e
    return out


def set_value(param, text):
    if param.StorageType == StorageType.String:
        return param.Set(text)
    if param.StorageType == StorageType.Integer:
        return param.Set(int(text))
    if param.StorageType == StorageType.Double:
        return param.SetValueString(text)
    return False


def apply_csv(path):
    elements = by_mark()
    ok = skipped = 0
    with open(path, newline="", encoding="utf-8-sig") as fh, Transaction(doc, "Import parameters") as t:
        t.Start()
        for row in csv.DictReader(fh):
            el = elements.get(row["Mark"])
            param = el.LookupParameter(row["Parameter"]) if el else None
            if param is None or param.IsReadOnly or not set_value(param, row["Value"]):
                skipped += 1
                continue
            ok += 1
        t.Commit()
    TaskDialog.Show("Import", "{} updated, {} skipped".format(ok, skipped))
