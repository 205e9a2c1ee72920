# technique: parses the add-in's YAML rules file with yaml.safe_load (not yaml.load), validates keys, applies naming rules to views
import os

import yaml

from Autodesk.Revit.DB import FilteredElementCollector, Transaction, View

doc = __revit__.ActiveUIDocument.Document
CONFIG = os.path.join(os.path.dirname(__file__), "naming_rules.yaml")


def load_rules(path=CONFIG):
    with open(path, "r", encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    rules = data.get("views", {})
    if not isinstance(rules, dict):
        raise ValueError("'views' must be a mapping")
    return {str(k): str(v) for k, v in rules.items()}


def apply(rules):
    views = [v for v in FilteredElementCollector(doc).OfClass(View) if not v.IsTemplate]
    with Transaction(doc, "Apply view naming rules") as t:
        t.Start()
        for v in views:
            prefix = rules.get(str(v.ViewType))
            if prefix and not v.Name.startswith(prefix):
                v.Name = prefix + v.Name
        t.Commit()


apply(load_rules())
