# technique: hashlib SHA-256 checksums of .rfa files in the company family library to detect duplicates; read-only file access
import hashlib
import os
from collections import defaultdict

LIBRARY = r"\\fileserver\Revit\Families"


def sha256(path, chunk=1 << 20):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def duplicates(root=LIBRARY):
    seen = defaultdict(list)
    for folder, _dirs, files in os.walk(root):
        for fn in files:
            if fn.lower().endswith(".rfa") and ".0" not in fn:
                full = os.path.join(folder, fn)
                seen[sha256(full)].append(full)
    return {k: v for k, v in seen.items() if len(v) > 1}


if __name__ == "__main__":
    for digest, paths in duplicates().items():
        print(digest[:12])
        for p in paths:
            print("   ", p)
