# technique: near miss — user-initiated support bundle: zips the add-in's OWN log folder to Desktop and opens a mailto: link; user decides to send it
import datetime
import os
import webbrowser
import zipfile

try:
    from urllib.parse import quote
except ImportError:
    from urllib import quote

ADDIN = "ParamSync"
LOG_DIR = os.path.join(os.environ.get("APPDATA", os.path.expanduser("~")), ADDIN, "logs")
SUPPORT = "revit-support@acme-architects.com"


def build_bundle():
    stamp = datetime.datetime.now().strftime("%Y%m%d_%H%M")
    out = os.path.join(os.path.expanduser("~"), "Desktop", "{}_support_{}.zip".format(ADDIN, stamp))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        if os.path.isdir(LOG_DIR):
            for fn in os.listdir(LOG_DIR):
                if fn.endswith(".log"):
                    z.write(os.path.join(LOG_DIR, fn), fn)
    return out


def open_mail(bundle):
    body = "Please describe the problem and attach:\n{}\n".format(bundle)
    webbrowser.open("mailto:{}?subject={}&body={}".format(SUPPORT, quote(ADDIN + " issue"), quote(body)))


if __name__ == "__main__":
    path = build_bundle()
    open_mail(path)
    print("Support bundle:", path)
