# technique: near miss - evaluates user parameter formulas with an ast whitelist walker (no eval/exec/compile of user code)
import ast
import math
import operator

from Autodesk.Revit.DB import Transaction

_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.Pow: operator.pow, ast.Mod: operator.mod}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCS = {"sqrt": math.sqrt, "round": round, "min": min, "max": max, "abs": abs}


def safe_eval(expr, names):
    def _ev(node):
        if isinstance(node, ast.Expression):
            return _ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
            return _BIN[type(node.op)](_ev(node.left), _ev(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](_ev(node.operand))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in _FUNCS and not node.keywords):
            return _FUNCS[node.func.id](*[_ev(a) for a in node.args])
        raise ValueError("Unsupported expression element: %s" % type(node).__name__)
    return _ev(ast.parse(expr, mode="eval"))


uidoc = __revit__.ActiveUIDocument
doc = uidoc.Document
FORMULA = "round(Width * Height / 10.7639, 2)"

with Transaction(doc, "Compute panel area") as t:
    t.Start()
    for eid in uidoc.Selection.GetElementIds():
        el = doc.GetElement(eid)
        w, h = el.LookupParameter("Width"), el.LookupParameter("Height")
        target = el.LookupParameter("Comments")
        if w and h and target:
            value = safe_eval(FORMULA, {"Width": w.AsDouble(), "Height": h.AsDouble()})
            target.Set("Area m2: %s" % value)
    t.Commit()
