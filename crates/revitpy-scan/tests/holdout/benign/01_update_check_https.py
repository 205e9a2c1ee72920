# technique: benign update check: GET version.json over HTTPS, compare semver, show TaskDialog with release-notes link (no download/exec)
import json
import urllib.request
from Autodesk.Revit.UI import TaskDialog

ADDIN_VERSION = "2.4.1"
VERSION_URL = "https://updates.example.com/revitpy-toolkit/version.json"


def _parse(v):
    return tuple(int(p) for p in v.split("."))


def check_for_update(timeout=5):
    req = urllib.request.Request(VERSION_URL, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            info = json.loads(resp.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
    if _parse(info.get("latest", "0.0.0")) > _parse(ADDIN_VERSION):
        return info
    return None


info = check_for_update()
if info:
    TaskDialog.Show("RevitPy Toolkit",
                    "Version %s is available.\nRelease notes: %s" % (info["latest"], info.get("notes_url", "")))
