# technique: benign ctypes user32: queries window DPI for UI scaling and shows a MessageBoxW confirmation before a bulk edit
import ctypes
from ctypes import wintypes

user32 = ctypes.windll.user32
user32.GetDpiForWindow.argtypes = [wintypes.HWND]
user32.GetDpiForWindow.restype = wintypes.UINT
user32.MessageBoxW.argtypes = [wintypes.HWND, wintypes.LPCWSTR, wintypes.LPCWSTR, wintypes.UINT]

MB_YESNO, MB_ICONQUESTION, IDYES = 0x04, 0x20, 6


def main_window_handle():
    return int(str(__revit__.MainWindowHandle)) if hasattr(__revit__, "MainWindowHandle") else 0


def ui_scale():
    dpi = user32.GetDpiForWindow(main_window_handle()) or 96
    return dpi / 96.0


def confirm(msg, title="Acme Revit Tools"):
    return user32.MessageBoxW(main_window_handle(), msg, title, MB_YESNO | MB_ICONQUESTION) == IDYES


if confirm("Renumber all rooms on the active level?"):
    print("Proceeding; UI scale factor = %.2f" % ui_scale())
