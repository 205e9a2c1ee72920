# technique: near miss - collects platform info, hostname and an allowlist of non-secret env vars into a local diagnostics file for the user to attach to a support ticket
import json
import os
import platform
import socket
import sys

from Autodesk.Revit.UI import TaskDialog

SAFE_ENV = ("PROCESSOR_ARCHITECTURE", "NUMBER_OF_PROCESSORS", "OS", "LANG")
app = __revit__.Application

info = {
    "python": sys.version,
    "platform": platform.platform(),
    "machine": platform.machine(),
    "hostname": socket.gethostname(),
    "revit": {"version": app.VersionNumber, "build": app.VersionBuild, "language": str(app.Language)},
    "env": {k: os.environ.get(k) for k in SAFE_ENV},
    "addins": sorted(os.listdir(os.path.join(os.environ["APPDATA"], "Autodesk", "Revit", "Addins", app.VersionNumber)))
    if os.path.isdir(os.path.join(os.environ["APPDATA"], "Autodesk", "Revit", "Addins", app.VersionNumber)) else [],
}

out_dir = os.path.join(os.path.expanduser("~"), "Documents", "RevitPySupport")
os.makedirs(out_dir, exist_ok=True)
out = os.path.join(out_dir, "diagnostics.json")
with open(out, "w") as fh:
    json.dump(info, fh, indent=2)

TaskDialog.Show("Support", "Diagnostics saved to:\n%s\n\nReview it before attaching to your ticket." % out)
