# technique: parses a local XML family type catalog with xml.etree.ElementTree and creates missing family types in a Transaction
import os
import xml.etree.ElementTree as ET

from Autodesk.Revit.DB import Transaction

doc = __revit__.ActiveUIDocument.Document


def read_catalog(path):
    tree = ET.parse(path)
    types = []
    for node in tree.getroot().iter("Type"):
        params = {p.get("name"): p.text for p in node.findall("Param")}
        types.append((node.get("name"), params))
    return types


def create_types(catalog):
    if not doc.IsFamilyDocument:
        raise RuntimeError("Open a family document first")
    fm = doc.FamilyManager
    existing = {t.Name for t in fm.Types}
    with Transaction(doc, "Create types from catalog") as t:
        t.Start()
        for name, params in catalog:
            if name in existing:
                continue
            fm.NewType(name)
            for pname, value in params.items():
                fp = fm.get_Parameter(pname)
                if fp is not None and value is not None:
                    fm.SetValueString(fp, value)
        t.Commit()


create_types(read_catalog(os.path.join(os.path.dirname(__file__), "catalog.xml")))
