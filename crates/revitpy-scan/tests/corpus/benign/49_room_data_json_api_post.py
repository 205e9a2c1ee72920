# technique: near miss — POSTs room numbers/areas (model data the user chose to sync) to the company's own FM system API with a bearer token from add-in settings
import json
import os

import requests

from Autodesk.Revit.DB import BuiltInCategory, FilteredElementCollector

doc = __revit__.ActiveUIDocument.Document
SETTINGS = os.path.join(os.environ.get("APPDATA", ""), "FMSync", "settings.json")


def rooms_payload():
    rooms = FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Rooms).WhereElementIsNotElementType()
    return [
        {"number": r.Number, "name": r.LookupParameter("Name").AsString(), "area_sqft": round(r.Area, 2), "level": r.Level.Name}
        for r in rooms
        if r.Area > 0
    ]


def sync():
    with open(SETTINGS) as fh:
        cfg = json.load(fh)
    resp = requests.post(
        cfg.get("api_url", "https://fm.acme-architects.com/api/v1/rooms/bulk"),
        json={"project": doc.ProjectInformation.Number, "rooms": rooms_payload()},
        headers={"Authorization": "Bearer " + cfg["api_token"]},
        timeout=20,
    )
    resp.raise_for_status()
    return resp.json().get("updated", 0)


print("FM system updated {} rooms".format(sync()))
