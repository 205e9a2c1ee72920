# technique: near miss — ctypes.windll.user32.MessageBoxW for a native confirmation dialog; ctypes without any memory/thread/process APIs
import ctypes
import sys

MB_OKCANCEL = 0x01
MB_ICONWARNING = 0x30
IDOK = 1


def confirm(title, text):
    if not sys.platform.startswith("win"):
        return True
    user32 = ctypes.windll.user32
    user32.MessageBoxW.argtypes = (ctypes.c_void_p, ctypes.c_wchar_p, ctypes.c_wchar_p, ctypes.c_uint)
    return user32.MessageBoxW(None, text, title, MB_OKCANCEL | MB_ICONWARNING) == IDOK


def delete_unplaced_rooms(doc):
    from Autodesk.Revit.DB import BuiltInCategory, FilteredElementCollector, Transaction

    unplaced = [r.Id for r in FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Rooms) if r.Location is None]
    if not unplaced or not confirm("Room Tools", "Delete {} unplaced rooms?".format(len(unplaced))):
        return 0
    with Transaction(doc, "Delete unplaced rooms") as t:
        t.Start()
        for rid in unplaced:
            doc.Delete(rid)
        t.Commit()
    return len(unplaced)


print(delete_unplaced_rooms(__revit__.ActiveUIDocument.Document))
