# technique: benign opt-in telemetry: POSTs anonymous command usage counts (no user data, no secrets) as JSON to the company HTTPS endpoint
import json
import os
import uuid
import urllib.request

SETTINGS = os.path.join(os.environ.get("APPDATA", ""), "AcmeRevitTools", "settings.json")
ENDPOINT = "https://telemetry.example.com/v1/usage"


def _load_settings():
    try:
        with open(SETTINGS, "r", encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def send_usage(counts, revit_version):
    settings = _load_settings()
    if not settings.get("telemetry_opt_in", False):
        return False
    payload = {
        "install_id": settings.setdefault("install_id", str(uuid.uuid4())),
        "revit": revit_version,
        "addin": "2.4.1",
        "commands": counts,
    }
    req = urllib.request.Request(ENDPOINT, data=json.dumps(payload).encode("utf-8"),
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        urllib.request.urlopen(req, timeout=3).close()
        return True
    except OSError:
        return False


send_usage({"RenumberRooms": 4, "ExportSheets": 1}, __revit__.Application.VersionNumber)
