# technique: benign content library: downloads an .rfa over HTTPS, verifies SHA-256 against the catalog, loads it with doc.LoadFamily (never executed)
import hashlib
import os
import tempfile
import requests
from Autodesk.Revit.DB import Transaction

doc = __revit__.ActiveUIDocument.Document
CATALOG = "https://content.example.com/families/catalog.json"


def download_family(entry):
    resp = requests.get(entry["url"], timeout=30)
    resp.raise_for_status()
    digest = hashlib.sha256(resp.content).hexdigest()
    if digest != entry["sha256"]:
        raise ValueError("Checksum mismatch for %s" % entry["name"])
    path = os.path.join(tempfile.gettempdir(), "AcmeFamilies", entry["name"] + ".rfa")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(resp.content)
    return path


catalog = requests.get(CATALOG, timeout=10).json()
entry = next(e for e in catalog["families"] if e["name"] == "Acme_Door_Single")
rfa = download_family(entry)

t = Transaction(doc, "Load Acme family")
t.Start()
doc.LoadFamily(rfa)
t.Commit()
