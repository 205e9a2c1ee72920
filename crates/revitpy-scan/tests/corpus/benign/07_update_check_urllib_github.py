# technique: near miss — urllib GET of a version JSON from the GitHub releases API over HTTPS, compares versions and only shows a message (no exec, no download)
import json
import urllib.request

from Autodesk.Revit.UI import TaskDialog

CURRENT = "2.3.1"
API = "https://api.github.com/repos/walltools/walltools/releases/latest"


def parse(v):
    return tuple(int(p) for p in v.lstrip("v").split(".")[:3])


def latest_version():
    req = urllib.request.Request(API, headers={"Accept": "application/vnd.github+json", "User-Agent": "WallTools"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        data = json.loads(resp.read().decode("utf-8"))
    return data["tag_name"], data["html_url"]


def check():
    try:
        tag, page = latest_version()
    except Exception as exc:
        print("Update check failed:", exc)
        return
    if parse(tag) > parse(CURRENT):
        TaskDialog.Show("Wall Tools", "Version {} is available.\nDownload it from:\n{}".format(tag, page))
    else:
        print("Wall Tools is up to date ({})".format(CURRENT))


check()
