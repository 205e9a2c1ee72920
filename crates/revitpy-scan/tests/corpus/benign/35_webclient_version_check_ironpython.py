# technique: (IronPython 2) near miss — System.Net.WebClient.DownloadString of a version.txt over HTTPS, compared with the local version; result is only displayed
# -*- coding: utf-8 -*-
import clr
clr.AddReference("System")
from System.Net import WebClient, WebException
from Autodesk.Revit.UI import TaskDialog

__title__ = "Check\nUpdates"
LOCAL_VERSION = "1.6.0"
URL = "https://raw.githubusercontent.com/acme-bim/rvt-toolbar/main/version.txt"

def vtuple(s):
    return tuple(int(p) for p in s.strip().split("."))

client = WebClient()
client.Headers.Add("User-Agent", "rvt-toolbar")
try:
    remote = client.DownloadString(URL).strip()
    if vtuple(remote) > vtuple(LOCAL_VERSION):
        TaskDialog.Show("Toolbar", "New version %s available (you have %s)." % (remote, LOCAL_VERSION))
    else:
        print "Up to date (%s)" % LOCAL_VERSION
except WebException, e:
    print "Update check failed: %s" % e.Message
finally:
    client.Dispose()
