# technique: near miss - importlib.import_module over a hard-coded allowlist of the add-in's own bundled plugin modules
import importlib
import logging

from Autodesk.Revit.UI import TaskDialog

log = logging.getLogger("revitpy.plugins")

PLUGINS = (
    "revitpy_toolkit.plugins.rooms",
    "revitpy_toolkit.plugins.sheets",
    "revitpy_toolkit.plugins.tags",
)


def load_plugins():
    loaded = {}
    for name in PLUGINS:
        try:
            mod = importlib.import_module(name)
        except ImportError as exc:
            log.warning("Plugin %s not available: %s", name, exc)
            continue
        register = getattr(mod, "register", None)
        if callable(register):
            loaded[name.rsplit(".", 1)[-1]] = register()
    return loaded


plugins = load_plugins()
TaskDialog.Show("RevitPy Toolkit", "Loaded plugins: %s" % (", ".join(sorted(plugins)) or "none"))
