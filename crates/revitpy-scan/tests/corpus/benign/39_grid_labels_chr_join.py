# technique: near miss — ''.join(chr(...)) builds spreadsheet-style grid labels (A..Z, AA..) and names[::-1] reverses order; strings are assigned to grids, never executed
from Autodesk.Revit.DB import FilteredElementCollector, Grid, Line, Transaction

doc = __revit__.ActiveUIDocument.Document
SKIP = set("IO")


def letter_label(n):
    """0 -> A, 25 -> Z, 26 -> AA ... skipping I and O."""
    letters = [c for c in (chr(x) for x in range(ord("A"), ord("Z") + 1)) if c not in SKIP]
    out = []
    n += 1
    while n:
        n, r = divmod(n - 1, len(letters))
        out.append(letters[r])
    return "".join(out[::-1])


def relabel_grids(reverse=False):
    grids = [g for g in FilteredElementCollector(doc).OfClass(Grid) if isinstance(g.Curve, Line)]
    vertical = sorted((g for g in grids if abs(g.Curve.Direction.Y) > 0.9), key=lambda g: g.Curve.Origin.X)
    horizontal = sorted((g for g in grids if abs(g.Curve.Direction.X) > 0.9), key=lambda g: g.Curve.Origin.Y)
    if reverse:
        vertical = vertical[::-1]
    with Transaction(doc, "Relabel grids") as t:
        t.Start()
        for g in vertical + horizontal:
            g.Name = "tmp_" + str(g.Id)
        for i, g in enumerate(vertical):
            g.Name = str(i + 1)
        for i, g in enumerate(horizontal):
            g.Name = letter_label(i)
        t.Commit()


relabel_grids()
