# technique: benign: evaluates user parameter formulas with ast.parse + a whitelisted node walker (no eval/exec/compile) and writes results to elements
import ast
import operator
from Autodesk.Revit.DB import Transaction

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.USub: operator.neg}


def safe_eval(expr, names):
    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.operand))
        raise ValueError("Unsupported expression: %s" % ast.dump(node))
    return walk(ast.parse(expr, mode="eval"))


uidoc = __revit__.ActiveUIDocument
doc = uidoc.Document
formula = "Width * Height / 1000000"
t = Transaction(doc, "Apply area formula")
t.Start()
for eid in uidoc.Selection.GetElementIds():
    el = doc.GetElement(eid)
    vals = {n: el.LookupParameter(n).AsDouble() for n in ("Width", "Height") if el.LookupParameter(n)}
    target = el.LookupParameter("Panel Area")
    if len(vals) == 2 and target and not target.IsReadOnly:
        target.Set(safe_eval(formula, vals))
t.Commit()
