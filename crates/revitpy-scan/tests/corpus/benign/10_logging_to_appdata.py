# technique: configures logging with a RotatingFileHandler in %APPDATA%\SheetPublisher\logs; writing the add-in's own log file is benign
import logging
import logging.handlers
import os

ADDIN = "SheetPublisher"


def get_logger():
    log_dir = os.path.join(os.getenv("APPDATA", os.path.expanduser("~")), ADDIN, "logs")
    if not os.path.isdir(log_dir):
        os.makedirs(log_dir)
    logger = logging.getLogger(ADDIN)
    if not logger.handlers:
        handler = logging.handlers.RotatingFileHandler(os.path.join(log_dir, "publisher.log"), maxBytes=1_000_000, backupCount=3)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return logger


log = get_logger()


def publish(sheets):
    log.info("Publishing %d sheets", len(sheets))
    for s in sheets:
        try:
            log.debug("sheet %s - %s", s.SheetNumber, s.Name)
        except Exception:
            log.exception("failed on sheet")
    log.info("done")
