"""Formulas f(x, y) typed by a user: parsed safely, differentiated exactly.

The text is read with :func:`ast.parse` (``mode="eval"``) and never evaluated: only numbers,
the variables ``x`` and ``y``, the constants ``pi`` and ``e``, ``+ - * / **``, unary signs
and the whitelisted functions in :data:`FUNCTIONS` are accepted.  The result is a graph of
hash-consed nodes (equal sub-expressions are stored once), so the gradient and the Hessian
are built by exact symbolic differentiation and evaluated on a shared tape.
Error messages give 1-based character columns into the text as typed.
"""

from __future__ import annotations

import ast
import itertools
import math

import numpy as np

MAX_LENGTH = 500  # characters
MAX_DEPTH = 60  # nesting levels of the syntax tree
MAX_EXPONENT = 100.0  # largest |constant exponent|
MAX_NODES = 20_000  # nodes of formula, gradient and Hessian together

CONSTANTS = {"pi": math.pi, "e": math.e}
_ALIASES = {"atan": "arctan", "asin": "arcsin", "acos": "arccos", "asinh": "arcsinh", "ln": "log"}
_NAMES = "sin cos tan exp log log2 log10 sqrt abs sign tanh sinh cosh arctan arcsin arccos arcsinh"
_OPS = {name: getattr(np, name) for name in _NAMES.split()}
FUNCTIONS = tuple(sorted([*_OPS, *_ALIASES]))
_OPS.update(neg=np.negative, add=np.add, sub=np.subtract, mul=np.multiply, div=np.divide)
_OPS["pow"] = np.power

_BIN_OPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_UNSUPPORTED = {
    ast.Attribute: "attribute access",
    ast.Lambda: "lambda",
    ast.Subscript: "subscript",
    ast.Compare: "comparison",
    ast.BoolOp: "boolean operator",
    ast.IfExp: "conditional expression",
    ast.Starred: "starred argument",
    ast.NamedExpr: "assignment expression",
    ast.JoinedStr: "string",
    **{kind: "collection" for kind in (ast.List, ast.Tuple, ast.Set, ast.Dict)},
    **{kind: "comprehension" for kind in (ast.ListComp, ast.SetComp, ast.GeneratorExp)},
}


def _outer_derivative(g: _Graph, name: str, u: int) -> int:
    """f'(u) for a whitelisted function f; the caller multiplies by u' (chain rule)."""
    one, two = g.const(1.0), g.const(2.0)
    rules = {
        "sin": lambda: g.apply("cos", u),
        "cos": lambda: g.apply("neg", g.apply("sin", u)),
        "tan": lambda: g.apply("add", one, g.apply("pow", g.apply("tan", u), two)),
        "exp": lambda: g.apply("exp", u),
        "log": lambda: g.apply("div", one, u),
        "log2": lambda: g.apply("div", one, g.apply("mul", u, g.const(math.log(2.0)))),
        "log10": lambda: g.apply("div", one, g.apply("mul", u, g.const(math.log(10.0)))),
        "sqrt": lambda: g.apply("div", g.const(0.5), g.apply("sqrt", u)),
        "abs": lambda: g.apply("sign", u),
        "sign": lambda: g.const(0.0),  # piecewise constant
        "tanh": lambda: g.apply("sub", one, g.apply("pow", g.apply("tanh", u), two)),
        "sinh": lambda: g.apply("cosh", u),
        "cosh": lambda: g.apply("sinh", u),
        "arctan": lambda: g.apply("div", one, g.apply("add", one, g.apply("pow", u, two))),
        "arcsin": lambda: g.apply("div", one, g.apply("sqrt", g.apply("sub", one, u_sq()))),
        "arccos": lambda: g.apply("neg", _outer_derivative(g, "arcsin", u)),
        "arcsinh": lambda: g.apply("div", one, g.apply("sqrt", g.apply("add", u_sq(), one))),
    }

    def u_sq() -> int:
        return g.apply("pow", u, two)

    return rules[name]()


class _Graph:
    """Hash-consed expression nodes ``(op, *children)``; children always have smaller ids."""

    def __init__(self) -> None:
        self.nodes: list[tuple] = []
        self._ids: dict[tuple, int] = {}
        self._derivatives: dict[tuple[int, str], int] = {}

    def node(self, *key) -> int:
        found = self._ids.get(key)
        if found is None:
            if len(self.nodes) >= MAX_NODES:
                raise ValueError(f"formula is too complex (derivatives exceed {MAX_NODES} nodes)")
            found = self._ids[key] = len(self.nodes)
            self.nodes.append(key)
        return found

    def const(self, value: float) -> int:
        return self.node("const", float(value))

    def constant_value(self, i: int) -> float | None:
        op, *args = self.nodes[i]
        return args[0] if op == "const" else None

    def apply(self, op: str, *args: int) -> int:
        """The node op(*args), with constant folding and light algebraic simplification."""
        values = [self.constant_value(a) for a in args]
        if None not in values:
            with np.errstate(all="ignore"):
                return self.const(_OPS[op](*values))
        simpler = self._simplify(op, args, values)
        return self.node(op, *args) if simpler is None else simpler

    def _simplify(self, op: str, args: tuple[int, ...], values: list) -> int | None:
        a, ca = args[0], values[0]
        if op == "neg":  # --u = u;  -(c*u) = (-c)*u
            inner_op, *inner = self.nodes[a]
            if inner_op in ("mul", "div") and self.constant_value(inner[0]) is not None:
                return self.apply(inner_op, self.const(-self.constant_value(inner[0])), inner[1])
            return self._negated(a)
        if len(args) == 1:
            return None
        b, cb = args[1], values[1]
        neg_a, neg_b = self._negated(a), self._negated(b)
        if op == "add":
            if neg_a is not None or neg_b is not None:  # a + (-b) = a - b
                return self.apply("sub", b, neg_a) if neg_b is None else self.apply("sub", a, neg_b)
            return b if ca == 0 else a if cb == 0 else None
        if op == "sub":
            if a == b:
                return self.const(0.0)
            if neg_b is not None:
                return self.apply("add", a, neg_b)
            return a if cb == 0 else self.apply("neg", b) if ca == 0 else None
        if op in ("mul", "div") and (neg_a is not None or neg_b is not None):
            both = (a if neg_a is None else neg_a), (b if neg_b is None else neg_b)
            product = self.apply(op, *both)  # signs move to the front
            return product if None not in (neg_a, neg_b) else self.apply("neg", product)
        if op == "mul":
            return self._simplify_product(a, b, ca, cb)
        if op == "div":
            return self.const(0.0) if ca == 0 else a if cb == 1 else None
        return self.const(1.0) if cb == 0 or ca == 1 else a if cb == 1 else None  # pow

    def _simplify_product(self, a: int, b: int, ca: float | None, cb: float | None) -> int | None:
        if ca == 0 or cb == 0:
            return self.const(0.0)
        if cb is not None:
            return self.apply("mul", b, a)  # constant factors go first
        if ca == 1 or ca == -1:
            return b if ca == 1 else self.apply("neg", b)
        inner_op, *inner = self.nodes[b]
        if ca is not None and inner_op == "mul" and self.constant_value(inner[0]) is not None:
            return self.apply("mul", self.const(ca * self.constant_value(inner[0])), inner[1])
        if inner_op == "div" and self.constant_value(inner[0]) == 1:
            return self.apply("div", a, inner[1])  # a * (1/v) = a/v
        return None

    def _negated(self, i: int) -> int | None:
        """u when node i is -u, else None."""
        op, *args = self.nodes[i]
        return args[0] if op == "neg" else None

    def derivative(self, i: int, var: str) -> int:
        """Node of d(node i)/d(var), memoized so shared sub-expressions are derived once."""
        key = (i, var)
        if key not in self._derivatives:
            self._derivatives[key] = self._derive(i, var)
        return self._derivatives[key]

    def _derive(self, i: int, var: str) -> int:
        op, *args = self.nodes[i]
        if op == "const":
            return self.const(0.0)
        if op == "var":
            return self.const(1.0 if args[0] == var else 0.0)
        du = [self.derivative(a, var) for a in args]
        if op in ("neg", "add", "sub"):
            return self.apply(op, *du)  # linear
        if op == "mul":  # (uv)' = u'v + uv'
            u, v = args
            return self.apply("add", self.apply("mul", du[0], v), self.apply("mul", u, du[1]))
        if op == "div":  # (u/v)' = u'/v - u v' / v^2
            u, v = args
            v_squared = self.apply("pow", v, self.const(2))
            cross = self.apply("div", self.apply("mul", u, du[1]), v_squared)
            return self.apply("sub", self.apply("div", du[0], v), cross)
        if op == "pow":
            return self._derive_power(*args, *du)
        return self.apply("mul", _outer_derivative(self, op, args[0]), du[0])  # chain rule

    def _derive_power(self, u: int, v: int, du: int, dv: int) -> int:
        """(u^v)' = v u^(v-1) u' when v is constant, else u^v (v' log u + v u'/u)."""
        exponent = self.constant_value(v)
        if exponent is not None:
            power = self.apply("pow", u, self.const(exponent - 1.0))
            return self.apply("mul", self.apply("mul", v, power), du)
        log_term = self.apply("mul", dv, self.apply("log", u))
        ratio_term = self.apply("div", self.apply("mul", v, du), u)
        return self.apply("mul", self.apply("pow", u, v), self.apply("add", log_term, ratio_term))

    def program(self, outputs: tuple[int, ...]) -> list[tuple[int, tuple, list[int]]]:
        """Tape for ``outputs``: (node, key, nodes to free afterwards), in topological order."""
        needed, stack = set(), list(outputs)
        while stack:
            i = stack.pop()
            if i not in needed:
                needed.add(i)
                stack.extend(self._children(i))
        order = sorted(needed)
        last_use = {i: len(order) for i in outputs}
        for position, i in enumerate(order):
            for child in self._children(i):
                last_use.setdefault(child, position)
                last_use[child] = max(last_use[child], position)
        frees: list[list[int]] = [[] for _ in order]
        for i, position in last_use.items():
            if position < len(order):
                frees[position].append(i)
        return [(i, self.nodes[i], frees[position]) for position, i in enumerate(order)]

    def _children(self, i: int) -> tuple[int, ...]:
        op, *args = self.nodes[i]
        return () if op in ("const", "var") else tuple(args)

    def text(self, i: int) -> tuple[str, int]:
        """Python-syntax text of node i and its precedence (5 = atom)."""
        op, *args = self.nodes[i]
        if op == "const":
            return _number_text(args[0]), 3 if args[0] < 0 else 5
        if op == "var":
            return args[0], 5
        if op == "neg":
            inner, p = self.text(args[0])
            return "-" + (inner if p >= 3 else f"({inner})"), 3
        if op not in _PRECEDENCE:
            return f"{op}({self.text(args[0])[0]})", 5
        p = _PRECEDENCE[op]
        (left, lp), (right, rp) = self.text(args[0]), self.text(args[1])
        tight = 5 if op == "pow" else p  # powers parenthesize every non-atom operand
        left = left if lp >= tight else f"({left})"
        right = right if rp > p or (rp == p and op in ("add", "mul")) else f"({right})"
        return f"{left}{_SYMBOLS[op]}{right}", p


_PRECEDENCE = {"add": 1, "sub": 1, "mul": 2, "div": 2, "pow": 4}
_SYMBOLS = {"add": " + ", "sub": " - ", "mul": "*", "div": "/", "pow": "**"}


def _number_text(value: float) -> str:
    for name, constant in CONSTANTS.items():
        if value == constant:
            return name
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


class _Parser:
    """Turns the checked syntax tree into graph nodes; every error names its column."""

    def __init__(self, text: str, shift: int, graph: _Graph) -> None:
        self._raw = text.encode("utf-8")  # ast offsets count UTF-8 bytes
        self._shift = shift  # leading blanks cut from the text as typed
        self._graph = graph

    def fail(self, message: str, where: ast.AST | int) -> None:
        offset = where if isinstance(where, int) else where.col_offset
        column = len(self._raw[:offset].decode("utf-8", errors="ignore")) + 1 + self._shift
        raise ValueError(f"{message} at column {column}")

    def build(self, node: ast.AST, depth: int = 0) -> int:
        if depth > MAX_DEPTH:
            self.fail(f"formula is nested too deeply (more than {MAX_DEPTH} levels)", node)
        handlers = {
            ast.Constant: self._constant,
            ast.Name: self._name,
            ast.UnaryOp: self._unary,
            ast.BinOp: self._binary,
            ast.Call: self._call,
        }
        handler = handlers.get(type(node))
        if handler is None:
            what = _UNSUPPORTED.get(type(node), type(node).__name__.lower())
            self.fail(f"unsupported syntax: {what}", node)
        return handler(node, depth + 1)

    def _constant(self, node: ast.Constant, depth: int) -> int:
        value = node.value
        if isinstance(value, str | bytes):
            self.fail("unsupported syntax: string", node)
        if isinstance(value, complex):
            self.fail("complex numbers are not supported", node)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(f"unsupported constant {value!r}", node)
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            self.fail("number is too large", node)
        return self._graph.const(number)

    def _name(self, node: ast.Name, depth: int) -> int:
        if node.id in ("x", "y"):
            return self._graph.node("var", node.id)
        if node.id in CONSTANTS:
            return self._graph.const(CONSTANTS[node.id])
        if node.id in FUNCTIONS:
            self.fail(f"function '{node.id}' needs an argument, as in {node.id}(x)", node)
        self.fail(f"unknown name '{node.id}'", node)

    def _unary(self, node: ast.UnaryOp, depth: int) -> int:
        if not isinstance(node.op, ast.UAdd | ast.USub):
            symbol = "not" if isinstance(node.op, ast.Not) else "~"
            self.fail(f"unsupported operator '{symbol}'", node)
        operand = self.build(node.operand, depth)
        return operand if isinstance(node.op, ast.UAdd) else self._graph.apply("neg", operand)

    def _binary(self, node: ast.BinOp, depth: int) -> int:
        chain = [node]  # a left-leaning chain a + b - c * d ... is folded in a loop, not nested
        while isinstance(chain[-1].left, ast.BinOp):
            chain.append(chain[-1].left)
        result = self.build(chain[-1].left, depth)
        for link in reversed(chain):
            op = self._operator(link)
            right = self.build(link.right, depth)
            exponent = self._graph.constant_value(right) if op == "pow" else None
            if exponent is not None and not abs(exponent) <= MAX_EXPONENT:
                limit = f"|exponent| <= {MAX_EXPONENT:g}"
                self.fail(f"exponent {_number_text(exponent)} is too large ({limit})", link.right)
            result = self._graph.apply(op, result, right)
        return result

    def _operator(self, node: ast.BinOp) -> str:
        op = _BIN_OPS.get(type(node.op))
        if op is None:  # point at the operator itself: skip blanks and closing parentheses
            gap = self._raw[node.left.end_col_offset : node.right.col_offset]
            offset = node.left.end_col_offset + len(gap) - len(gap.lstrip(b" )"))
            symbol = gap.strip(b" ()").decode()
            hint = " (write powers as **)" if symbol == "^" else ""
            self.fail(f"unsupported operator '{symbol}'{hint}", offset)
        return op

    def _call(self, node: ast.Call, depth: int) -> int:
        if not isinstance(node.func, ast.Name):
            what = _UNSUPPORTED.get(type(node.func), "call of something that is not a function")
            self.fail(f"unsupported syntax: {what}", node.func)
        name = node.func.id
        if name not in FUNCTIONS:
            self.fail(f"unknown function '{name}'", node.func)
        if node.keywords:
            self.fail("unsupported syntax: keyword argument", node.keywords[0])
        if len(node.args) != 1:
            self.fail(f"{name} takes exactly 1 argument, got {len(node.args)}", node)
        argument = self.build(node.args[0], depth)
        return self._graph.apply(_ALIASES.get(name, name), argument)


def _checked_text(text: object) -> tuple[str, int]:
    """The formula without surrounding blanks, and how many leading characters were cut."""
    if not isinstance(text, str):
        raise ValueError(f"formula must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"formula is too long ({len(text)} characters, at most {MAX_LENGTH})")
    stripped, shift = text.strip(), len(text) - len(text.lstrip())
    if not stripped:
        raise ValueError("formula is empty")
    for index, char in enumerate(stripped, start=shift + 1):
        if char == "#" or not (char.isprintable() or char == "\t"):
            what = "comment sign '#'" if char == "#" else f"control character {char!r}"
            raise ValueError(f"unsupported syntax: {what} at column {index}")
    return stripped, shift


class Formula:
    """A formula f(x, y) with its exact, symbolically derived gradient and Hessian.

    Parameters
    ----------
    text : str
        Python-syntax formula in ``x`` and ``y``, at most :data:`MAX_LENGTH` characters,
        e.g. ``"x**2 + 3*sin(y) + exp(-x*y)"``.

    Raises
    ------
    ValueError
        For anything outside the whitelist, with a 1-based character column:
        ``"unknown name 'z' at column 7"``.

    Notes
    -----
    Derivatives follow the usual rules (product, quotient, chain; ``d|u| = sign(u) du``) with
    light simplification (``0*u = 0``, ``1*u = u``, constant folding).  Evaluation never
    warns: outside a function's domain the result is NaN or inf.
    """

    def __init__(self, text: str) -> None:
        stripped, shift = _checked_text(text)
        try:
            tree = ast.parse(stripped, mode="eval")
        except SyntaxError as error:
            column = (error.offset or 1) + shift
            raise ValueError(f"syntax error at column {column}: {error.msg}") from None
        except (RecursionError, MemoryError):
            raise ValueError("formula is nested too deeply") from None
        graph = _Graph()
        f = _Parser(stripped, shift, graph).build(tree.body)
        for _order in (1, 2):  # bottom-up, so each derivation finds its children's memoized
            for i, var in itertools.product(range(len(graph.nodes)), "xy"):
                graph.derivative(i, var)
        fx, fy = graph.derivative(f, "x"), graph.derivative(f, "y")
        second = graph.derivative(fx, "x"), graph.derivative(fx, "y"), graph.derivative(fy, "y")
        self.text = text
        self._graph = graph
        self._outputs = {"f": f, "x": fx, "y": fy, "xx": second[0], "xy": second[1]}
        self._outputs["yx"], self._outputs["yy"] = second[1], second[2]
        tapes = {"f": (f,), "g": (fx, fy), "h": second}
        self._tapes = {name: (outs, graph.program(outs)) for name, outs in tapes.items()}

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"

    def __str__(self) -> str:
        return self.derivative_text()

    def derivative_text(self, *variables: str) -> str:
        """Text of a derivative, e.g. ``derivative_text("x", "y")`` for d2f/dxdy (none: f)."""
        key = "".join(variables) or "f"
        if key not in self._outputs:
            raise ValueError(f"variables must be up to two of 'x', 'y', got {variables}")
        return self._graph.text(self._outputs[key])[0]

    def value(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """f(x, y) for arrays ``x`` and ``y`` of one shape."""
        return self._run("f", x, y)[0]

    def gradient(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(df/dx, df/dy), exact."""
        gx, gy = self._run("g", x, y)
        return gx, gy

    def hessian(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
        """(d2f/dx2, d2f/dxdy, d2f/dy2), exact."""
        return tuple(self._run("h", x, y))

    def _run(self, tape: str, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        outputs, program = self._tapes[tape]
        values: dict[int, object] = {}
        with np.errstate(all="ignore"):
            for i, (op, *args), frees in program:
                if op == "const":
                    values[i] = args[0]
                elif op == "var":
                    values[i] = x if args[0] == "x" else y
                else:
                    values[i] = _OPS[op](*(values[a] for a in args))
                for done in frees:
                    del values[done]
        shape = np.broadcast_shapes(x.shape, y.shape)
        return [np.array(np.broadcast_to(values[n], shape), dtype=float) for n in outputs]
