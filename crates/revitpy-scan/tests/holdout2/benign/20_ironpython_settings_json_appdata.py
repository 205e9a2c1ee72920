# technique: (IronPython 2) loads and saves the add-in's JSON settings under %APPDATA%\RevitPyGrid with defaults
import os
import json
from Autodesk.Revit.UI import TaskDialog

SETTINGS_DIR = os.path.join(os.environ["APPDATA"], "RevitPyGrid")
SETTINGS_FILE = os.path.join(SETTINGS_DIR, "settings.json")
DEFAULTS = {"bubble_end": "both", "extent": 3.0, "prefix": ""}


def load_settings():
    try:
        f = open(SETTINGS_FILE)
        try:
            data = json.load(f)
        finally:
            f.close()
    except (IOError, ValueError), e:
        print "Using defaults (%s)" % e
        data = {}
    merged = dict(DEFAULTS)
    merged.update(data)
    return merged


def save_settings(settings):
    if not os.path.isdir(SETTINGS_DIR):
        os.makedirs(SETTINGS_DIR)
    f = open(SETTINGS_FILE, "w")
    try:
        json.dump(settings, f, indent=2)
    finally:
        f.close()


s = load_settings()
s["prefix"] = s["prefix"] or "G-"
save_settings(s)
TaskDialog.Show("Grid settings", "Prefix: %s\nExtent: %s" % (s["prefix"], s["extent"]))
