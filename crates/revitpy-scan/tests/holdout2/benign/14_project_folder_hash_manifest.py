# technique: near miss - walks the current project's folder, lists Revit files and SHA-256 hashes into a local JSON manifest (nothing sent anywhere)
import hashlib
import json
import os

doc = __revit__.ActiveUIDocument.Document
EXTS = (".rvt", ".rfa", ".dwg", ".pdf")


def sha256_file(path, chunk=1 << 20):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def build_manifest(root):
    entries = []
    for base, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d.lower() != "backup"]
        for name in sorted(files):
            if name.lower().endswith(EXTS):
                full = os.path.join(base, name)
                entries.append({
                    "path": os.path.relpath(full, root),
                    "bytes": os.path.getsize(full),
                    "sha256": sha256_file(full),
                })
    return entries


if not doc.PathName:
    print("Save the model first.")
else:
    root = os.path.dirname(doc.PathName)
    manifest = build_manifest(root)
    out = os.path.join(root, "_file_manifest.json")
    with open(out, "w") as fh:
        json.dump({"root": root, "files": manifest}, fh, indent=2)
    print("%d files hashed -> %s" % (len(manifest), out))
