# technique: near miss — requests.get of https://company/version.json, semantic version compare, opens the release page in a browser for the user (no auto-install)
import webbrowser

import requests

VERSION_URL = "https://tools.acme-architects.com/revit/roomexporter/version.json"
INSTALLED = (1, 4, 0)


def fetch_manifest():
    r = requests.get(VERSION_URL, timeout=5)
    r.raise_for_status()
    return r.json()


def newer(remote):
    return tuple(int(x) for x in remote.split(".")) > INSTALLED


def main():
    try:
        manifest = fetch_manifest()
    except requests.RequestException as exc:
        print("Could not check for updates: %s" % exc)
        return
    if newer(manifest.get("version", "0.0.0")):
        from Autodesk.Revit.UI import TaskDialog, TaskDialogCommonButtons, TaskDialogResult

        res = TaskDialog.Show(
            "Room Exporter",
            "Version {} is available. Open the release notes?".format(manifest["version"]),
            TaskDialogCommonButtons.Yes | TaskDialogCommonButtons.No,
        )
        if res == TaskDialogResult.Yes:
            webbrowser.open(manifest.get("notes_url", "https://tools.acme-architects.com/revit/"))


main()
