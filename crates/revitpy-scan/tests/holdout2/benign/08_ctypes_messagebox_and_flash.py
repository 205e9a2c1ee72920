# technique: near miss - ctypes calls into user32 only for MessageBoxW and FlashWindow to alert the user when a long export finishes
import ctypes
from ctypes import wintypes

from Autodesk.Revit.DB import FilteredElementCollector, ViewSheet

MB_OK = 0x0
MB_ICONINFORMATION = 0x40

user32 = ctypes.WinDLL("user32", use_last_error=True)
user32.MessageBoxW.argtypes = (wintypes.HWND, wintypes.LPCWSTR, wintypes.LPCWSTR, wintypes.UINT)
user32.MessageBoxW.restype = ctypes.c_int
user32.FlashWindow.argtypes = (wintypes.HWND, wintypes.BOOL)


def notify(text, title="RevitPy Sheets"):
    hwnd = __revit__.MainWindowHandle
    hwnd = int(hwnd.ToInt64()) if hasattr(hwnd, "ToInt64") else int(hwnd)
    user32.FlashWindow(hwnd, True)
    user32.MessageBoxW(hwnd, text, title, MB_OK | MB_ICONINFORMATION)


doc = __revit__.ActiveUIDocument.Document
sheets = list(FilteredElementCollector(doc).OfClass(ViewSheet))
unplaced = [s for s in sheets if not s.GetAllPlacedViews()]
notify("%d sheets checked, %d without views." % (len(sheets), len(unplaced)))
