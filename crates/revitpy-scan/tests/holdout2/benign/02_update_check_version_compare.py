# technique: near miss - HTTPS update check fetches a JSON version manifest and only notifies the user (nothing downloaded or executed)
import json
import urllib.request

from Autodesk.Revit.UI import TaskDialog, TaskDialogCommonButtons

__version__ = "2.3.1"
MANIFEST_URL = "https://updates.example.com/revitpy-annotate/latest.json"


def _parse(v):
    return tuple(int(p) for p in v.split(".") if p.isdigit())


def latest_version(timeout=5):
    req = urllib.request.Request(MANIFEST_URL, headers={"User-Agent": "revitpy-annotate/" + __version__})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        data = json.loads(resp.read().decode("utf-8"))
    return data.get("version", __version__), data.get("notes_url", "")


def check_for_updates():
    try:
        latest, notes = latest_version()
    except Exception as exc:
        print("Update check skipped: %s" % exc)
        return
    if _parse(latest) > _parse(__version__):
        TaskDialog.Show("RevitPy Annotate",
                        "Version %s is available (you have %s).\nRelease notes: %s" % (latest, __version__, notes),
                        TaskDialogCommonButtons.Ok)
    else:
        print("Up to date (%s)" % __version__)


check_for_updates()
