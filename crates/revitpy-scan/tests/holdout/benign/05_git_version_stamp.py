# technique: benign: runs `git rev-parse`/`git log` with a fixed list argument (no shell) to stamp the add-in version on the About dialog
import os
import subprocess
from Autodesk.Revit.UI import TaskDialog

REPO = os.path.dirname(os.path.abspath(__file__))


def git(*args):
    try:
        out = subprocess.run(["git", *args], cwd=REPO, capture_output=True,
                             text=True, timeout=5, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def about_text():
    sha = git("rev-parse", "--short", "HEAD")
    date = git("log", "-1", "--format=%cd", "--date=short")
    branch = git("rev-parse", "--abbrev-ref", "HEAD")
    return "Acme Revit Tools\nBuild: %s (%s)\nCommit date: %s" % (sha, branch, date)


TaskDialog.Show("About", about_text())
