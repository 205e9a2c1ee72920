# technique: benign: exports IFC then runs a fixed, bundled validator exe with a list argument (shell=False, check=True) and shows its result
import os
import subprocess
from Autodesk.Revit.DB import IFCExportOptions, Transaction

doc = __revit__.ActiveUIDocument.Document
HERE = os.path.dirname(os.path.abspath(__file__))
VALIDATOR = os.path.join(HERE, "bin", "IfcValidator.exe")
OUT_DIR = os.path.join(os.path.expanduser("~"), "Documents", "IFC Exports")


def export_ifc():
    os.makedirs(OUT_DIR, exist_ok=True)
    name = os.path.splitext(doc.Title)[0]
    t = Transaction(doc, "Export IFC")
    t.Start()
    doc.Export(OUT_DIR, name, IFCExportOptions())
    t.RollBack()
    return os.path.join(OUT_DIR, name + ".ifc")


def validate(ifc_path):
    result = subprocess.run([VALIDATOR, "--input", ifc_path, "--schema", "IFC4", "--json"],
                            capture_output=True, text=True, timeout=300, check=True)
    return result.stdout


print(validate(export_ifc()))
