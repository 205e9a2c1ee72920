# technique: near miss - read-only winreg query of HKLM Autodesk Revit install locations for a diagnostics panel
import winreg

from Autodesk.Revit.UI import TaskDialog

BASE = r"SOFTWARE\Autodesk\Revit"


def installed_revits():
    found = []
    try:
        root = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, BASE, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY)
    except OSError:
        return found
    with root:
        i = 0
        while True:
            try:
                sub = winreg.EnumKey(root, i)
            except OSError:
                break
            i += 1
            if not sub.startswith("Autodesk Revit"):
                continue
            try:
                with winreg.OpenKey(root, sub + r"\Components", 0, winreg.KEY_READ) as k:
                    path, _ = winreg.QueryValueEx(k, "InstallationLocation")
            except OSError:
                path = "(unknown)"
            found.append((sub, path))
    return found


lines = ["%s -> %s" % pair for pair in installed_revits()] or ["No Revit installations found"]
lines.append("Running: %s" % __revit__.Application.VersionBuild)
TaskDialog.Show("Installed Revit versions", "\n".join(lines))
