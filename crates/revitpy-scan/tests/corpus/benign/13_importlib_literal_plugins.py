# technique: near miss — importlib.import_module over a hard-coded list of the add-in's own plugin module names (no user/remote-controlled names)
import importlib
import logging

log = logging.getLogger("walltools.plugins")

PLUGINS = (
    "walltools.plugins.tagging",
    "walltools.plugins.dimensions",
    "walltools.plugins.openings",
    "walltools.plugins.finishes",
)


def load_plugins(enabled=None):
    loaded = {}
    for name in PLUGINS:
        short = name.rsplit(".", 1)[-1]
        if enabled is not None and short not in enabled:
            continue
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            log.warning("plugin %s unavailable: %s", short, exc)
            continue
        if hasattr(module, "register"):
            loaded[short] = module.register()
    return loaded


def run_all(doc, plugins):
    for name, plugin in sorted(plugins.items()):
        log.info("running %s", name)
        plugin.run(doc)
