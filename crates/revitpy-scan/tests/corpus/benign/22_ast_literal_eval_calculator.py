# technique: near miss — eval-free arithmetic for parameter formulas: ast.parse + whitelisted node walk, and ast.literal_eval for literal lists
import ast
import operator

_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
}


def calc(expr, names=None):
    names = names or {}

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
        raise ValueError("unsupported expression: " + ast.dump(node))

    return walk(ast.parse(expr, mode="eval"))


def parse_offsets(text):
    value = ast.literal_eval(text)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, (int, float)) for v in value):
        raise ValueError("expected a list of numbers")
    return list(value)


if __name__ == "__main__":
    print(calc("Width * 2 + Height / 4", {"Width": 900, "Height": 2100}))
    print(parse_offsets("[100, 250.5, 400]"))
