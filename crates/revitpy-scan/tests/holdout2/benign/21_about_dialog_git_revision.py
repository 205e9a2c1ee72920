# technique: near miss - subprocess.check_output with a fixed ["git", "rev-parse"] list (cwd = add-in folder) to show the build revision in an About box
import os
import subprocess

from Autodesk.Revit.UI import TaskDialog

ADDIN_DIR = os.path.dirname(os.path.abspath(__file__))
VERSION = "1.8.0"


def git_revision():
    try:
        out = subprocess.check_output(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ADDIN_DIR,
            stderr=subprocess.DEVNULL,
            timeout=5,
        )
        return out.decode("ascii").strip()
    except (OSError, subprocess.SubprocessError):
        return "release"


app = __revit__.Application
TaskDialog.Show(
    "About RevitPy Openings",
    "RevitPy Openings %s (%s)\nRevit %s build %s" % (VERSION, git_revision(), app.VersionNumber, app.VersionBuild),
)
