# technique: near miss — subprocess.Popen(['explorer', path]) with a list argument to show the add-in's export folder; fixed program, no shell
import os
import subprocess
import sys

EXPORT_DIR = os.path.join(os.path.expanduser("~"), "Documents", "SheetPublisher")


def open_folder(path=EXPORT_DIR):
    if not os.path.isdir(path):
        os.makedirs(path)
    if sys.platform.startswith("win"):
        subprocess.Popen(["explorer", os.path.normpath(path)])
    elif sys.platform == "darwin":
        subprocess.Popen(["open", path])
    else:
        subprocess.Popen(["xdg-open", path])


def select_file_in_explorer(path):
    subprocess.Popen(["explorer", "/select,", os.path.normpath(path)])


if __name__ == "__main__":
    open_folder()
