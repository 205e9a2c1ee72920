# technique: near miss — os.remove loop over glob('*.tmp') older than 7 days, strictly inside the add-in's own export staging folder
import glob
import os
import time

STAGING = os.path.join(os.environ.get("LOCALAPPDATA", os.path.expanduser("~")), "SheetPublisher", "staging")
MAX_AGE_DAYS = 7


def prune(folder=STAGING, max_age_days=MAX_AGE_DAYS):
    if not os.path.isdir(folder):
        return 0
    cutoff = time.time() - max_age_days * 86400
    removed = 0
    for pattern in ("*.tmp", "*.pcp", "*_partial.pdf"):
        for path in glob.glob(os.path.join(folder, pattern)):
            try:
                if os.path.getmtime(path) < cutoff:
                    os.remove(path)
                    removed += 1
            except OSError:
                pass
    return removed


if __name__ == "__main__":
    print("Removed {} stale staging files".format(prune()))
