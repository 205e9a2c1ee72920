# technique: benign: importlib.import_module of sub-tool modules from a fixed, hard-coded allow-list inside the add-in package
import importlib
import logging

log = logging.getLogger("acme.tools")

ENABLED_TOOLS = (
    "acme_tools.rooms.renumber",
    "acme_tools.sheets.batch_print",
    "acme_tools.qa.warnings_report",
)


def load_tools():
    tools = {}
    for name in ENABLED_TOOLS:
        try:
            mod = importlib.import_module(name)
        except ImportError as exc:
            log.warning("Tool %s unavailable: %s", name, exc)
            continue
        if hasattr(mod, "register"):
            tools[name.rsplit(".", 1)[-1]] = mod
    return tools


def build_ribbon(uiapp, tools):
    panel = uiapp.CreateRibbonPanel("Acme Tools")
    for short, mod in tools.items():
        mod.register(panel)


build_ribbon(__revit__, load_tools())
