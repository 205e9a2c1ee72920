# technique: (IronPython 2) near miss — Microsoft.Win32.Registry.LocalMachine.OpenSubKey (read-only) to locate the Revit content library path
# -*- coding: utf-8 -*-
import clr
clr.AddReference("mscorlib")
from Microsoft.Win32 import Registry

app = __revit__.Application
version = app.VersionNumber

def content_path(ver):
    key = Registry.LocalMachine.OpenSubKey("SOFTWARE\\Autodesk\\Revit\\Autodesk Revit %s" % ver)
    if key is None:
        return None
    try:
        return key.GetValue("ContentLocation") or key.GetValue("InstallationLocation")
    finally:
        key.Close()

def user_family_folder(ver):
    key = Registry.CurrentUser.OpenSubKey("Software\\Autodesk\\Revit\\Autodesk Revit %s\\Profiles" % ver)
    if key is None:
        return None
    value = key.GetValue("DefaultFamilyTemplatePath")
    key.Close()
    return value

print "Revit %s content: %s" % (version, content_path(version))
print "Family templates: %s" % user_family_folder(version)
