# technique: benign: reads (KEY_READ only) HKLM Autodesk Revit install locations with winreg to find RevitAPI.dll; never writes
import os
import winreg


def revit_install_dirs():
    found = {}
    base = r"SOFTWARE\Autodesk\Revit"
    try:
        root = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, base, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY)
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
            try:
                with winreg.OpenKey(root, sub + r"\REVIT-05:0409") as k:
                    path, _ = winreg.QueryValueEx(k, "InstallationLocation")
                    found[sub] = path
            except OSError:
                continue
    return found


for ver, path in sorted(revit_install_dirs().items()):
    api = os.path.join(path, "RevitAPI.dll")
    print(ver, path, "OK" if os.path.exists(api) else "missing RevitAPI.dll")
