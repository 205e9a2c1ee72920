# technique: near miss — downloads an .rfa family from the company content server over HTTPS into its own cache, verifies SHA-256, then doc.LoadFamily (data, not code)
import hashlib
import os

import requests

from Autodesk.Revit.DB import Transaction

doc = __revit__.ActiveUIDocument.Document
CONTENT = "https://content.acme-architects.com/revit/families/"
CACHE = os.path.join(os.environ.get("APPDATA", os.path.expanduser("~")), "AcmeContent", "families")


def fetch(name, expected_sha256):
    os.makedirs(CACHE, exist_ok=True)
    target = os.path.join(CACHE, os.path.basename(name))
    if not os.path.exists(target):
        r = requests.get(CONTENT + name, timeout=30)
        r.raise_for_status()
        if hashlib.sha256(r.content).hexdigest() != expected_sha256:
            raise ValueError("checksum mismatch for " + name)
        with open(target, "wb") as fh:
            fh.write(r.content)
    return target


def load(name, sha):
    path = fetch(name, sha)
    with Transaction(doc, "Load " + name) as t:
        t.Start()
        ok = doc.LoadFamily(path)
        t.Commit()
    return ok


index = requests.get(CONTENT + "index.json", timeout=10).json()
for fam in index.get("families", []):
    print(fam["name"], load(fam["name"], fam["sha256"]))
