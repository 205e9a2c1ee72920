# technique: near miss - copies the add-in's settings.json into its own backups folder and deletes all but the newest 5 backups
import datetime
import glob
import os
import shutil

APP_DIR = os.path.join(os.environ["APPDATA"], "RevitPyLayouts")
SETTINGS = os.path.join(APP_DIR, "settings.json")
BACKUP_DIR = os.path.join(APP_DIR, "backups")
KEEP = 5


def backup_settings():
    if not os.path.isfile(SETTINGS):
        return None
    os.makedirs(BACKUP_DIR, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d_%H%M%S")
    dest = os.path.join(BACKUP_DIR, "settings_%s.json" % stamp)
    shutil.copy2(SETTINGS, dest)
    return dest


def prune_backups(keep=KEEP):
    backups = sorted(glob.glob(os.path.join(BACKUP_DIR, "settings_*.json")), key=os.path.getmtime, reverse=True)
    for old in backups[keep:]:
        os.remove(old)
    return backups[keep:]


made = backup_settings()
pruned = prune_backups()
print("Backup: %s; pruned %d old backups" % (made, len(pruned)))
