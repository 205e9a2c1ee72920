# technique: keeps a per-user selection history in a small JSON file under %APPDATA%\SelectionTools and re-selects elements by id
import json
import os

from Autodesk.Revit.DB import ElementId
from System.Collections.Generic import List

uidoc = __revit__.ActiveUIDocument
doc = uidoc.Document
HISTORY = os.path.join(os.environ.get("APPDATA", os.path.expanduser("~")), "SelectionTools", "history.json")


def _load():
    try:
        with open(HISTORY) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def save_selection(name):
    data = _load()
    data.setdefault(doc.Title, {})[name] = [str(i) for i in uidoc.Selection.GetElementIds()]
    os.makedirs(os.path.dirname(HISTORY), exist_ok=True)
    with open(HISTORY, "w") as fh:
        json.dump(data, fh, indent=1)


def restore_selection(name):
    ids = _load().get(doc.Title, {}).get(name, [])
    valid = [ElementId(int(i)) for i in ids if doc.GetElement(ElementId(int(i))) is not None]
    uidoc.Selection.SetElementIds(List[ElementId](valid))
    return len(valid)


save_selection("last")
print(restore_selection("last"))
