# technique: near miss — copies the CURRENT .rvt to the add-in's backup folder with shutil.copy2 and prunes only its own older backups of that model
import datetime
import glob
import os
import shutil

doc = __revit__.ActiveUIDocument.Document
BACKUP_ROOT = os.path.join(os.path.expanduser("~"), "Documents", "RevitBackups")
KEEP = 5


def backup():
    src = doc.PathName
    if not src or not os.path.exists(src):
        raise RuntimeError("Save the model before backing it up")
    name = os.path.splitext(os.path.basename(src))[0]
    folder = os.path.join(BACKUP_ROOT, name)
    if not os.path.isdir(folder):
        os.makedirs(folder)
    stamp = datetime.datetime.now().strftime("%Y%m%d_%H%M%S")
    dest = os.path.join(folder, "{}_{}.rvt".format(name, stamp))
    shutil.copy2(src, dest)
    old = sorted(glob.glob(os.path.join(folder, name + "_*.rvt")))[:-KEEP]
    for path in old:
        os.remove(path)
    return dest, len(old)


dest, pruned = backup()
print("Backup written to {} ({} old backups removed)".format(dest, pruned))
