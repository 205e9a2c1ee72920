# technique: near miss — bytes.fromhex parses '#RRGGBB' colours from a JSON legend to build OverrideGraphicSettings; hex decodes to RGB bytes, not code
import json
import os

from Autodesk.Revit.DB import (
    BuiltInCategory,
    Color,
    FilteredElementCollector,
    OverrideGraphicSettings,
    Transaction,
)

doc = __revit__.ActiveUIDocument.Document
view = doc.ActiveView
LEGEND = os.path.join(os.path.dirname(__file__), "fire_rating_colors.json")


def hex_to_color(value):
    r, g, b = bytes.fromhex(value.lstrip("#"))
    return Color(r, g, b)


def colorize_walls():
    with open(LEGEND) as fh:
        legend = {k: hex_to_color(v) for k, v in json.load(fh).items()}
    walls = FilteredElementCollector(doc, view.Id).OfCategory(BuiltInCategory.OST_Walls).WhereElementIsNotElementType()
    with Transaction(doc, "Colour by fire rating") as t:
        t.Start()
        for w in walls:
            p = w.WallType.LookupParameter("Fire Rating")
            color = legend.get(p.AsString() if p else None)
            if color is None:
                continue
            ogs = OverrideGraphicSettings()
            ogs.SetProjectionLineColor(color)
            ogs.SetCutLineColor(color)
            view.SetElementOverrides(w.Id, ogs)
        t.Commit()


colorize_walls()
