# technique: near miss — ctypes calls into user32/shcore to read the monitor DPI and scale a WPF dialog; no kernel32 memory APIs
import ctypes
import sys


def system_dpi():
    if not sys.platform.startswith("win"):
        return 96
    try:
        return ctypes.windll.user32.GetDpiForSystem()
    except AttributeError:
        hdc = ctypes.windll.user32.GetDC(0)
        try:
            LOGPIXELSX = 88
            return ctypes.windll.gdi32.GetDeviceCaps(hdc, LOGPIXELSX)
        finally:
            ctypes.windll.user32.ReleaseDC(0, hdc)


def scale_factor():
    return system_dpi() / 96.0


def dialog_size(base_w=480, base_h=320):
    f = scale_factor()
    return int(base_w * f), int(base_h * f)


if __name__ == "__main__":
    print("DPI:", system_dpi(), "dialog:", dialog_size())
