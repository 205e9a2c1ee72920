# technique: near miss — extracts the add-in's bundled template zip into %APPDATA%\TemplateKit with zip-slip protection; data files only, nothing is run
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PACK = os.path.join(HERE, "resources", "templates.zip")
DEST = os.path.join(os.environ.get("APPDATA", os.path.expanduser("~")), "TemplateKit", "templates")
ALLOWED = (".rte", ".rft", ".json", ".png")


def safe_extract(pack=PACK, dest=DEST):
    os.makedirs(dest, exist_ok=True)
    root = os.path.realpath(dest)
    extracted = []
    with zipfile.ZipFile(pack) as z:
        for info in z.infolist():
            if info.is_dir() or not info.filename.lower().endswith(ALLOWED):
                continue
            target = os.path.realpath(os.path.join(root, info.filename))
            if not target.startswith(root + os.sep):
                raise ValueError("unsafe path in archive: " + info.filename)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(info) as src, open(target, "wb") as out:
                out.write(src.read())
            extracted.append(target)
    return extracted


if __name__ == "__main__":
    print("Installed {} template files".format(len(safe_extract())))
