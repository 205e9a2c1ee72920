# technique: near miss - downloads a family template, verifies its SHA-256 against a pinned value, saves under APPDATA; file is loaded as a template, never executed
import hashlib
import os
import urllib.request

from Autodesk.Revit.UI import TaskDialog

TEMPLATE_URL = "https://content.example.com/templates/Metric_Generic_Model_v4.rft"
EXPECTED_SHA256 = "3f1a0c0b7d5e9e2a4c6b8d0f1e3a5c7b9d1f3e5a7c9b1d3f5e7a9c1b3d5f7e9a"
DEST_DIR = os.path.join(os.environ["APPDATA"], "RevitPyContent", "templates")


def sha256_of(data):
    return hashlib.sha256(data).hexdigest()


def fetch_template():
    dest = os.path.join(DEST_DIR, os.path.basename(TEMPLATE_URL))
    if os.path.exists(dest):
        with open(dest, "rb") as fh:
            if sha256_of(fh.read()) == EXPECTED_SHA256:
                return dest
    with urllib.request.urlopen(TEMPLATE_URL, timeout=30) as resp:
        data = resp.read()
    if sha256_of(data) != EXPECTED_SHA256:
        raise ValueError("Checksum mismatch for downloaded template; discarded.")
    os.makedirs(DEST_DIR, exist_ok=True)
    with open(dest, "wb") as fh:
        fh.write(data)
    return dest


try:
    path = fetch_template()
    family_doc = __revit__.Application.NewFamilyDocument(path)
    TaskDialog.Show("Content", "New family created from %s" % os.path.basename(path))
except Exception as exc:
    TaskDialog.Show("Content", "Template unavailable: %s" % exc)
