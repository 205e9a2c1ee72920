# technique: near miss — winreg OpenKey/QueryValueEx READ-ONLY of HKLM\SOFTWARE\Autodesk\Revit to find installed Revit versions and paths
import winreg

ROOT = r"SOFTWARE\Autodesk\Revit"


def installed_revits():
    found = {}
    try:
        root = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, ROOT, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY)
    except OSError:
        return found
    with root:
        i = 0
        while True:
            try:
                version = winreg.EnumKey(root, i)
            except OSError:
                break
            i += 1
            try:
                with winreg.OpenKey(root, version + r"\REVIT-05:0409") as k:
                    path, _ = winreg.QueryValueEx(k, "InstallationLocation")
                    found[version] = path
            except OSError:
                continue
    return found


for ver, path in sorted(installed_revits().items()):
    print(ver, "->", path)
