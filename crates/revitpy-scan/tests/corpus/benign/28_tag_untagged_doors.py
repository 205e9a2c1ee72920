# technique: creates IndependentTag for every untagged door in the active view inside a Transaction; pure Revit API
from Autodesk.Revit.DB import (
    BuiltInCategory,
    FilteredElementCollector,
    IndependentTag,
    Reference,
    TagMode,
    TagOrientation,
    Transaction,
)

uidoc = __revit__.ActiveUIDocument
doc = uidoc.Document
view = doc.ActiveView


def tagged_ids():
    ids = set()
    for tag in FilteredElementCollector(doc, view.Id).OfClass(IndependentTag):
        for eid in tag.GetTaggedLocalElementIds():
            ids.add(eid)
    return ids


def tag_doors():
    done = tagged_ids()
    doors = FilteredElementCollector(doc, view.Id).OfCategory(BuiltInCategory.OST_Doors).WhereElementIsNotElementType()
    n = 0
    with Transaction(doc, "Tag doors") as t:
        t.Start()
        for d in doors:
            if d.Id in done or d.Location is None:
                continue
            IndependentTag.Create(doc, view.Id, Reference(d), False, TagMode.TM_ADDBY_CATEGORY, TagOrientation.Horizontal, d.Location.Point)
            n += 1
        t.Commit()
    return n


print("Tagged {} doors".format(tag_doors()))
