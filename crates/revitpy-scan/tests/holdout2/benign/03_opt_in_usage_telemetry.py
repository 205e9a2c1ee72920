# technique: near miss - opt-in anonymous telemetry POSTs command name, Revit version and duration to an example.com endpoint (no user data, no secrets)
import json
import os
import time
import urllib.request
import uuid

from Autodesk.Revit.DB import FilteredElementCollector, FamilyInstance

SETTINGS = os.path.join(os.environ.get("APPDATA", os.path.expanduser("~")), "RevitPyTools", "settings.json")
ENDPOINT = "https://telemetry.example.com/v1/events"


def _settings():
    try:
        with open(SETTINGS) as fh:
            return json.load(fh)
    except (IOError, ValueError):
        return {}


def send_event(command, duration):
    cfg = _settings()
    if not cfg.get("telemetry_opt_in", False):
        return
    install_id = cfg.setdefault("install_id", str(uuid.uuid4()))  # random, not tied to the user
    event = {
        "install_id": install_id,
        "command": command,
        "revit_version": __revit__.Application.VersionNumber,
        "duration_ms": int(duration * 1000),
    }
    req = urllib.request.Request(ENDPOINT, data=json.dumps(event).encode("utf-8"),
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        urllib.request.urlopen(req, timeout=3).close()
    except Exception:
        pass


start = time.time()
doc = __revit__.ActiveUIDocument.Document
n = FilteredElementCollector(doc).OfClass(FamilyInstance).GetElementCount()
print("Family instances: %d" % n)
send_event("count_family_instances", time.time() - start)
