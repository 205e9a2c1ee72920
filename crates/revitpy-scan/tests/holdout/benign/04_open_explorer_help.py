# technique: benign UI helpers: opens the model's folder in Explorer via subprocess list args and the help page with webbrowser.open
import os
import subprocess
import webbrowser
from Autodesk.Revit.UI import TaskDialog

HELP_URL = "https://docs.example.com/revit-toolkit/getting-started"
doc = __revit__.ActiveUIDocument.Document


def open_model_folder():
    if not doc.PathName:
        TaskDialog.Show("Open folder", "Save the model first.")
        return
    subprocess.Popen(["explorer.exe", "/select,", os.path.normpath(doc.PathName)])


def open_help():
    webbrowser.open(HELP_URL, new=2)


if __name__ == "__main__":
    open_model_folder()
    open_help()
