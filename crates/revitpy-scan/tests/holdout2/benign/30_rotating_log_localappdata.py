# technique: configures a RotatingFileHandler log under %LOCALAPPDATA%\RevitPyTools\logs and logs a model-health summary
import logging
import os
from logging.handlers import RotatingFileHandler

from Autodesk.Revit.DB import FilteredElementCollector, ImportInstance, Group

LOG_DIR = os.path.join(os.environ.get("LOCALAPPDATA", os.path.expanduser("~")), "RevitPyTools", "logs")
os.makedirs(LOG_DIR, exist_ok=True)

log = logging.getLogger("revitpy.health")
if not log.handlers:
    handler = RotatingFileHandler(os.path.join(LOG_DIR, "health.log"), maxBytes=512 * 1024,
                                  backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)

doc = __revit__.ActiveUIDocument.Document
warnings = doc.GetWarnings()
imports = FilteredElementCollector(doc).OfClass(ImportInstance).GetElementCount()
groups = FilteredElementCollector(doc).OfClass(Group).GetElementCount()

log.info("Model %s: %d warnings, %d CAD imports, %d groups", doc.Title, len(warnings), imports, groups)
if imports > 10:
    log.warning("Model %s has many CAD imports (%d)", doc.Title, imports)
print("Logged health summary to %s" % LOG_DIR)
