# technique: benign: loads/saves add-in preferences as JSON under %APPDATA%\AcmeRevitTools with defaults and atomic replace
import json
import os

APP_DIR = os.path.join(os.environ["APPDATA"], "AcmeRevitTools")
PATH = os.path.join(APP_DIR, "preferences.json")
DEFAULTS = {"units": "mm", "tag_offset": 300, "last_export_dir": "", "telemetry_opt_in": False}


def load():
    try:
        with open(PATH, "r", encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        data = {}
    merged = dict(DEFAULTS)
    merged.update({k: v for k, v in data.items() if k in DEFAULTS})
    return merged


def save(prefs):
    os.makedirs(APP_DIR, exist_ok=True)
    tmp = PATH + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(prefs, fh, indent=2)
    os.replace(tmp, PATH)


prefs = load()
prefs["last_export_dir"] = os.path.join(os.path.expanduser("~"), "Documents")
save(prefs)
