# technique: near miss — "Clear cache" button: shutil.rmtree of the add-in's own %APPDATA%\FamilyBrowser\cache folder only, with a path guard
import os
import shutil

from Autodesk.Revit.UI import TaskDialog

ADDIN_DIR = os.path.join(os.environ.get("APPDATA", os.path.expanduser("~")), "FamilyBrowser")
CACHE_DIR = os.path.join(ADDIN_DIR, "cache")


def cache_size(path=CACHE_DIR):
    total = 0
    for root, _dirs, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total


def clear_cache():
    real = os.path.realpath(CACHE_DIR)
    if not real.startswith(os.path.realpath(ADDIN_DIR) + os.sep):
        raise RuntimeError("refusing to delete outside add-in folder")
    size = cache_size()
    if os.path.isdir(real):
        shutil.rmtree(real)
    os.makedirs(real)
    return size


freed = clear_cache()
TaskDialog.Show("Family Browser", "Cache cleared ({:.1f} MB freed).".format(freed / 1048576.0))
