# technique: batch-sets the Fire Rating parameter on walls by wall type name inside a Transaction group
from Autodesk.Revit.DB import FilteredElementCollector, Wall, Transaction, TransactionGroup

doc = __revit__.ActiveUIDocument.Document

RATINGS = {
    "FR60": "60 min",
    "FR90": "90 min",
    "FR120": "120 min",
}


def rating_for(type_name):
    for key, value in RATINGS.items():
        if key in type_name.upper():
            return value
    return None


walls = list(FilteredElementCollector(doc).OfClass(Wall))
tg = TransactionGroup(doc, "Fire ratings")
tg.Start()
changed = 0
t = Transaction(doc, "Set fire rating")
t.Start()
for w in walls:
    rating = rating_for(w.WallType.Name)
    p = w.WallType.LookupParameter("Fire Rating")
    if rating and p and not p.IsReadOnly and p.AsString() != rating:
        p.Set(rating)
        changed += 1
t.Commit()
tg.Assimilate()
print("Updated %d wall types" % changed)
