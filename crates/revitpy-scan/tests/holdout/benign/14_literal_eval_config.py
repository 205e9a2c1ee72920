# technique: benign: parses a legacy Python-literal config file with ast.literal_eval (not eval) to map view templates to sheet series
import ast
import os
from Autodesk.Revit.DB import FilteredElementCollector, View

CFG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "template_map.cfg")


def load_map(path=CFG):
    with open(path, "r", encoding="utf-8") as fh:
        data = ast.literal_eval(fh.read())
    if not isinstance(data, dict):
        raise ValueError("template_map.cfg must contain a dict literal")
    return {str(k): str(v) for k, v in data.items()}


def templates_by_name(doc):
    return {v.Name: v for v in FilteredElementCollector(doc).OfClass(View) if v.IsTemplate}


doc = __revit__.ActiveUIDocument.Document
mapping = load_map()
available = templates_by_name(doc)
for series, tpl in sorted(mapping.items()):
    print(series, "->", tpl, "" if tpl in available else "(missing)")
