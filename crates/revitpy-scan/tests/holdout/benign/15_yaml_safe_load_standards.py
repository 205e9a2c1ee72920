# technique: benign: loads office CAD/BIM standards from YAML with yaml.safe_load and reports non-compliant line styles
import os
import yaml
from Autodesk.Revit.DB import Category, BuiltInCategory

STANDARDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "standards.yaml")


def load_standards():
    with open(STANDARDS, "r", encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return set(data.get("allowed_line_styles", []))


def line_styles(doc):
    lines = Category.GetCategory(doc, BuiltInCategory.OST_Lines)
    return [sub.Name for sub in lines.SubCategories]


doc = __revit__.ActiveUIDocument.Document
allowed = load_standards()
bad = sorted(s for s in line_styles(doc) if s not in allowed and not s.startswith("<"))
print("Non-standard line styles (%d):" % len(bad))
for s in bad:
    print("  -", s)
