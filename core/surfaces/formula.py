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
import warnings

import numpy as np

from core.surfaces.domain import DOMAIN_REASONS, domain_error, evaluate_with_domain
from core.surfaces.formula_graph import (
    ALIASES,
    CONSTANTS,
    FUNCTIONS,
    ExpressionGraph,
    number_text,
    run_program,
)

MAX_LENGTH = 500  # characters
MAX_DEPTH = 60  # nesting levels of the syntax tree
MAX_EXPONENT = 100.0  # largest |constant exponent|

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


class _Parser:
    """Turns the checked syntax tree into graph nodes; every error names its column."""

    def __init__(self, text: str, shift: int, graph: ExpressionGraph) -> None:
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
                self.fail(f"exponent {number_text(exponent)} is too large ({limit})", link.right)
            result = self._folded(op, (result, right), self._operator_offset(link))
        return result

    def _operator_offset(self, node: ast.BinOp) -> int:
        """Where the operator itself is: past blanks and closing parentheses."""
        gap = self._raw[node.left.end_col_offset : node.right.col_offset]
        return node.left.end_col_offset + len(gap) - len(gap.lstrip(b" )"))

    def _operator(self, node: ast.BinOp) -> str:
        op = _BIN_OPS.get(type(node.op))
        if op is None:
            gap = self._raw[node.left.end_col_offset : node.right.col_offset]
            symbol = gap.strip(b" ()").decode()
            hint = " (write powers as **)" if symbol == "^" else ""
            self.fail(f"unsupported operator '{symbol}'{hint}", self._operator_offset(node))
        return op

    def _folded(self, op: str, args: tuple[int, ...], where: ast.AST | int) -> int:
        """op(*args); a part made of constants only must have a finite value (``1/0``,
        ``log(-1)`` and ``exp(1000)`` are errors at their column, not a blank map)."""
        if op == "div" and self._graph.constant_value(args[1]) == 0:
            self.fail("division by zero", where)  # x/0: undefined at every point
        node = self._graph.apply(op, *args)
        value = self._graph.constant_value(node)
        if value is not None and not math.isfinite(value):
            inputs = [self._graph.constant_value(a) for a in args]
            code = int(domain_error(op, *inputs)) if None not in inputs else 0
            reason = DOMAIN_REASONS[code - 1] if code else "number is too large (overflow)"
            self.fail(reason, where)
        return node

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
        return self._folded(ALIASES.get(name, name), (argument,), node.func)


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


def _syntax_tree(stripped: str, shift: int) -> ast.Expression:
    """``ast.parse`` with every complaint as one ValueError naming a 1-based column.

    Python's tokenizer *warns* about text such as ``1if x else 2`` ("invalid decimal
    literal") and would print that to stderr; here the warning is the error it deserves.
    Text that ends too early (``x**``) is reported at its last character, where Python
    gives no column.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", SyntaxWarning)
            warnings.simplefilter("error", DeprecationWarning)
            return ast.parse(stripped, mode="eval")
    except SyntaxError as error:
        offset = error.offset or 0
        if 1 <= offset <= len(stripped):
            column, message = offset + shift, error.msg
        else:
            column, message = len(stripped) + shift, "the formula ends too early"
        raise ValueError(f"syntax error at column {column}: {message}") from None
    except (SyntaxWarning, DeprecationWarning) as warning:
        raise ValueError(f"syntax error: {warning}") from None
    except (RecursionError, MemoryError):
        raise ValueError("formula is nested too deeply") from None


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
        tree = _syntax_tree(stripped, shift)
        graph = ExpressionGraph()
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
        if len(variables) > 2 or not set(variables) <= {"x", "y"}:
            raise ValueError(f"variables must be up to two of 'x', 'y', got {variables}")
        key = "".join(variables) or "f"
        return self._graph.text(self._outputs[key])[0]

    def value(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """f(x, y) for arrays ``x`` and ``y`` of one shape."""
        return self._run("f", x, y)[0]

    def value_with_domain(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """f(x, y) and, per point, why it is undefined (int8 code, 0 = defined).

        A code ``c >= 1`` reads ``core.surfaces.domain.DOMAIN_REASONS[c - 1]`` (division by
        zero, log of a negative number, ...); a value that merely overflowed has code 0.
        """
        f = self._outputs["f"]
        return evaluate_with_domain(self._tapes["f"][1], f, x, y)

    def gradient(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(df/dx, df/dy), exact."""
        gx, gy = self._run("g", x, y)
        return gx, gy

    def hessian(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
        """(d2f/dx2, d2f/dxdy, d2f/dy2), exact."""
        return tuple(self._run("h", x, y))

    def _run(self, tape: str, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        outputs, program = self._tapes[tape]
        return run_program(program, outputs, x, y)
