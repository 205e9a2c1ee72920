# technique: benign: walks the project folder and read-only hashes .rvt files with hashlib to produce an archive integrity manifest CSV
import csv
import hashlib
import os

doc = __revit__.ActiveUIDocument.Document
PROJECT_DIR = os.path.dirname(doc.PathName) if doc.PathName else os.getcwd()


def sha256_of(path, bufsize=1 << 20):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(bufsize), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest(root):
    for dirpath, dirnames, files in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.endswith("_backup")]
        for f in files:
            if f.lower().endswith(".rvt"):
                p = os.path.join(dirpath, f)
                yield [os.path.relpath(p, root), os.path.getsize(p), sha256_of(p)]


out = os.path.join(os.path.expanduser("~"), "Documents", "rvt_manifest.csv")
with open(out, "w", newline="", encoding="utf-8") as fh:
    w = csv.writer(fh)
    w.writerow(["file", "bytes", "sha256"])
    w.writerows(manifest(PROJECT_DIR))
print("Manifest written to", out)
