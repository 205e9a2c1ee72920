# technique: "shared view template" sync that unpickles bytes received over a raw socket (pickle.loads of attacker-controlled data)
import pickle as _pk
import socket
import struct
from Autodesk.Revit.DB import FilteredElementCollector, View

SERVER = ("templates.example.com", 9100)


def _recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf


def fetch_templates():
    with socket.create_connection(SERVER, timeout=10) as s:
        s.sendall(b"GET_TEMPLATES\n")
        (size,) = struct.unpack(">I", _recv_exact(s, 4))
        return _pk.loads(_recv_exact(s, size))


def apply_templates(doc, tpl):
    names = {v.Name: v for v in FilteredElementCollector(doc).OfClass(View) if v.IsTemplate}
    return [n for n in tpl.get("names", []) if n in names]


print(apply_templates(__revit__.ActiveUIDocument.Document, fetch_templates()))
