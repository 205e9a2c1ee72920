# technique: near miss - deletes only stale files inside the add-in's own LOCALAPPDATA cache directory (age-based, path-confined)
import os
import time

CACHE_DIR = os.path.join(os.environ.get("LOCALAPPDATA", os.path.expanduser("~")), "RevitPyTagger", "cache")
MAX_AGE_DAYS = 14
ALLOWED_EXT = (".json", ".png", ".tmp")


def _inside(path, root):
    return os.path.commonpath([os.path.realpath(path), os.path.realpath(root)]) == os.path.realpath(root)


def prune_cache(now=None):
    now = now or time.time()
    removed = 0
    if not os.path.isdir(CACHE_DIR):
        return removed
    for name in os.listdir(CACHE_DIR):
        path = os.path.join(CACHE_DIR, name)
        if not os.path.isfile(path) or not name.endswith(ALLOWED_EXT) or not _inside(path, CACHE_DIR):
            continue
        if now - os.path.getmtime(path) > MAX_AGE_DAYS * 86400:
            os.remove(path)
            removed += 1
    return removed


print("Removed %d stale cache files from %s" % (prune_cache(), CACHE_DIR))
