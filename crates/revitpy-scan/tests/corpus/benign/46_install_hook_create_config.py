# technique: near miss — legitimate install.py hook: creates %APPDATA%\RoomExporter, copies the bundled default settings and prints a message; no network, no exec
import json
import os
import shutil
import sys

ADDIN = "RoomExporter"
HERE = os.path.dirname(os.path.abspath(__file__))


def config_dir():
    base = os.environ.get("APPDATA") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, ADDIN)


def install():
    target = config_dir()
    os.makedirs(target, exist_ok=True)
    default = os.path.join(HERE, "defaults", "settings.json")
    dest = os.path.join(target, "settings.json")
    if not os.path.exists(dest):
        if os.path.exists(default):
            shutil.copyfile(default, dest)
        else:
            with open(dest, "w") as fh:
                json.dump({"export_folder": "", "units": "m2", "include_unplaced": False}, fh, indent=2)
    os.makedirs(os.path.join(target, "exports"), exist_ok=True)
    print("{} configured in {}".format(ADDIN, target))
    return 0


if __name__ == "__main__":
    sys.exit(install())
