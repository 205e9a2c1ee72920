# technique: near miss — opt-in usage telemetry POSTed as JSON to the company's HTTPS endpoint: command name, duration, Revit version only (no env, no files)
import json
import time
import uuid

import requests

ENDPOINT = "https://telemetry.acme-architects.com/v1/revit-usage"
ADDIN_VERSION = "3.2.0"


def _install_id(settings):
    if "install_id" not in settings:
        settings["install_id"] = str(uuid.uuid4())
    return settings["install_id"]


def report(command, started, settings):
    if not settings.get("telemetry_opt_in", False):
        return
    payload = {
        "install_id": _install_id(settings),
        "addin_version": ADDIN_VERSION,
        "revit_version": __revit__.Application.VersionNumber,
        "command": command,
        "duration_ms": int((time.time() - started) * 1000),
    }
    try:
        requests.post(ENDPOINT, data=json.dumps(payload), headers={"Content-Type": "application/json"}, timeout=3)
    except requests.RequestException:
        pass


if __name__ == "__main__":
    t0 = time.time()
    report("TagAllDoors", t0, {"telemetry_opt_in": True})
