# technique: benign: deletes only its own temp/cache folders (TEMP\AcmeRevitTools, LOCALAPPDATA cache older than 30 days) with shutil.rmtree/os.remove
import os
import shutil
import tempfile
import time

ADDIN = "AcmeRevitTools"
TEMP_DIR = os.path.join(tempfile.gettempdir(), ADDIN)
CACHE_DIR = os.path.join(os.environ.get("LOCALAPPDATA", tempfile.gettempdir()), ADDIN, "cache")
MAX_AGE = 30 * 24 * 3600


def clear_temp():
    if os.path.isdir(TEMP_DIR):
        shutil.rmtree(TEMP_DIR, ignore_errors=True)


def prune_cache(now=None):
    now = now or time.time()
    removed = 0
    if not os.path.isdir(CACHE_DIR):
        return removed
    for name in os.listdir(CACHE_DIR):
        p = os.path.join(CACHE_DIR, name)
        if name.endswith(".cache") and now - os.path.getmtime(p) > MAX_AGE:
            os.remove(p)
            removed += 1
    return removed


clear_temp()
print("Removed %d stale cache files" % prune_cache())
