# technique: near miss — reads os.environ USERNAME/COMPUTERNAME only to stamp "Drawn by" on sheets; values stay in the model, nothing is sent
import datetime
import getpass
import os

from Autodesk.Revit.DB import FilteredElementCollector, Transaction, ViewSheet

doc = __revit__.ActiveUIDocument.Document


def current_user():
    return os.environ.get("USERNAME") or os.environ.get("USER") or getpass.getuser()


def initials(name):
    parts = name.replace(".", " ").replace("_", " ").split()
    return "".join(p[0].upper() for p in parts) or name[:2].upper()


def stamp_sheets():
    who = initials(current_user())
    today = datetime.date.today().strftime("%d.%m.%Y")
    station = os.environ.get("COMPUTERNAME", "")
    with Transaction(doc, "Stamp sheets") as t:
        t.Start()
        for s in FilteredElementCollector(doc).OfClass(ViewSheet):
            p = s.LookupParameter("Drawn By")
            if p and not p.IsReadOnly and not p.AsString():
                p.Set(who)
            d = s.LookupParameter("Sheet Issue Date")
            if d and not d.IsReadOnly:
                d.Set(today)
        t.Commit()
    print("Stamped by {} on {}".format(who, station))


stamp_sheets()
