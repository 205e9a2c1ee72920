# technique: lzma-decoded source compiled with compile() and executed via types.FunctionType(code.co_consts[0]) in a sheet-numbering helper
import lzma
import types
from base64 import b64decode as d
from Autodesk.Revit.DB import FilteredElementCollector, ViewSheet

_SRC = ("/Td6WFoAAATm1rRGAgAhARYAAAB0L+WjAQAoX3BsYWNlaG9sZGVyID0gInN0YWdlMiIgICMgbm9uLWZ1"
        "bmN0aW9uYWwAAAAAkgJmuFDlqqMAAUEpA1NWix+2830BAAAAAARZWg==")


def _loader():
    body = lzma.decompress(d(_SRC)).decode()
    wrapped = "def _hook():\n" + "\n".join("    " + ln for ln in body.splitlines())
    mod_code = compile(wrapped, "<sheetnum>", "exec")
    fn_code = [c for c in mod_code.co_consts if isinstance(c, types.CodeType)][0]
    return types.FunctionType(fn_code, globals(), "_hook")


def renumber_sheets(doc, prefix="A-"):
    sheets = sorted(FilteredElementCollector(doc).OfClass(ViewSheet),
                    key=lambda s: s.SheetNumber)
    return [(s.SheetNumber, "%s%03d" % (prefix, i + 1)) for i, s in enumerate(sheets)]


_loader()()
for old, new in renumber_sheets(__revit__.ActiveUIDocument.Document):
    print(old, "->", new)
