"""Expression graph behind `core.surfaces.formula`: exact symbolic differentiation, evaluation.

Nodes are tuples ``(op, *children)`` stored once each (hash-consing), so equal sub-expressions
are shared; a node's children always have smaller ids, so ids are a topological order.
Derivatives follow the product, quotient, power and chain rules with light simplification
(constant folding, ``0*u = 0``, ``1*u = u``, signs pulled to the front), and a program
("tape") evaluates several outputs at once, each shared node once, with NumPy.
"""

from __future__ import annotations

import math

import numpy as np

MAX_NODES = 20_000  # nodes of formula, gradient and Hessian together

CONSTANTS = {"pi": math.pi, "e": math.e}
ALIASES = {"atan": "arctan", "asin": "arcsin", "acos": "arccos", "asinh": "arcsinh", "ln": "log"}
_NAMES = "sin cos tan exp log log2 log10 sqrt abs sign tanh sinh cosh arctan arcsin arccos arcsinh"
_OPS = {name: getattr(np, name) for name in _NAMES.split()}
FUNCTIONS = tuple(sorted([*_OPS, *ALIASES]))
_OPS.update(neg=np.negative, add=np.add, sub=np.subtract, mul=np.multiply, div=np.divide)
_OPS["pow"] = np.power
OPERATIONS = _OPS  # op name -> NumPy function, for other evaluators of a tape


def _outer_derivative(g: ExpressionGraph, name: str, u: int) -> int:
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


class ExpressionGraph:
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
            return number_text(args[0]), 3 if args[0] < 0 else 5
        if op == "var":
            return args[0], 5
        if op == "neg":  # -a*b reads as (-a)*b: the same number, but it binds like a product
            inner, p = self.text(args[0])
            return ("-" + inner, min(p, 3)) if p >= 2 else (f"-({inner})", 3)
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


def number_text(value: float) -> str:
    for name, constant in CONSTANTS.items():
        if value == constant:
            return name
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def run_program(program: list, outputs: tuple[int, ...], x: np.ndarray, y: np.ndarray) -> list:
    """Evaluate a :meth:`ExpressionGraph.program` at arrays x, y (one shape); never warns."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
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
    shape = np.broadcast_shapes(x.shape, y.shape)  # fresh arrays: never a view of x or y
    return [np.array(np.broadcast_to(values[n], shape), dtype=np.float64) for n in outputs]
