# technique: near miss - zlib+base64 compress a JSON view-state snapshot into Extensible Storage (data only, never evaluated)
import base64
import json
import zlib

import clr
from System import Guid, String
from Autodesk.Revit.DB import Transaction, View
from Autodesk.Revit.DB.ExtensibleStorage import SchemaBuilder, Schema, Entity, AccessLevel

SCHEMA_GUID = Guid("5b3c1a2e-8f4d-4d2a-9c1e-2a7b6f0e4d11")
doc = __revit__.ActiveUIDocument.Document
view = doc.ActiveView


def _schema():
    s = Schema.Lookup(SCHEMA_GUID)
    if s:
        return s
    b = SchemaBuilder(SCHEMA_GUID)
    b.SetSchemaName("RevitPyViewState")
    b.SetReadAccessLevel(AccessLevel.Public)
    b.SetWriteAccessLevel(AccessLevel.Public)
    b.AddSimpleField("Blob", clr.GetClrType(String))
    return b.Finish()


def pack(state):
    return base64.b64encode(zlib.compress(json.dumps(state).encode("utf-8"), 9)).decode("ascii")


def unpack(blob):
    return json.loads(zlib.decompress(base64.b64decode(blob)).decode("utf-8"))


state = {
    "scale": view.Scale,
    "detail": str(view.DetailLevel),
    "filters": [f.IntegerValue for f in view.GetFilters()],
    "crop": view.CropBoxActive,
}
schema = _schema()
ent = Entity(schema)
ent.Set("Blob", pack(state))
with Transaction(doc, "Save view state") as t:
    t.Start()
    view.SetEntity(ent)
    t.Commit()
print(unpack(view.GetEntity(schema).Get[String]("Blob")))
