# technique: near miss - hashes .rfa files in a local content library folder with hashlib to report duplicate families (read-only)
import collections
import hashlib
import os

from pyrevit import forms

library = forms.pick_folder(title="Family library to scan")
if not library:
    forms.alert("Cancelled.", exitscript=True)

by_hash = collections.defaultdict(list)
for base, _dirs, files in os.walk(library):
    for name in files:
        if not name.lower().endswith(".rfa"):
            continue
        path = os.path.join(base, name)
        digest = hashlib.md5()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(65536), b""):
                digest.update(chunk)
        by_hash[digest.hexdigest()].append(os.path.relpath(path, library))

dupes = {h: paths for h, paths in by_hash.items() if len(paths) > 1}
print("Scanned %d unique families, %d duplicate groups" % (len(by_hash), len(dupes)))
for paths in dupes.values():
    print("  = " + " | ".join(sorted(paths)))
