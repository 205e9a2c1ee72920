# technique: reads/writes the add-in's own JSON settings under %APPDATA%\WallTools; reading APPDATA is normal config handling, not theft
import json
import os

ADDIN = "WallTools"
DEFAULTS = {"units": "mm", "default_height": 3000, "tag_on_create": True, "recent_types": []}


def settings_path():
    base = os.environ.get("APPDATA") or os.path.expanduser("~/.config")
    folder = os.path.join(base, ADDIN)
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, "settings.json")


def load():
    try:
        with open(settings_path(), "r", encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        data = {}
    merged = dict(DEFAULTS)
    merged.update({k: v for k, v in data.items() if k in DEFAULTS})
    return merged


def save(settings):
    tmp = settings_path() + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(settings, fh, indent=2, sort_keys=True)
    os.replace(tmp, settings_path())


def remember_type(type_name):
    s = load()
    recent = [t for t in s["recent_types"] if t != type_name]
    s["recent_types"] = ([type_name] + recent)[:10]
    save(s)
    return s
