"""Where a formula has no value, and why: domain errors traced through the expression tape.

A non-finite value has two different causes, and a learner deserves to know which:

* a *domain error*: an operation applied outside the inputs it is defined for
  (``1/0``, ``log(-1)``, ``sqrt(-1)``, ``0**-1``, ``(-8)**0.5``, ``arcsin(2)``): the
  surface is *undefined* there;
* an *overflow*: every operation was legal but a number outgrew float64
  (``exp(exp(exp(3)))``): the surface is defined, merely off the scale.

:func:`evaluate_with_domain` runs a tape like :func:`core.surfaces.formula_graph.run_program`
and carries, for every node, the first domain error among the operations below it. A point
is undefined where the final value is non-finite *and* a domain error lies under it; a
finite result (``exp(-1/x**2)`` at ``x = 0`` is 0) counts as defined.
"""

from __future__ import annotations

import numpy as np

from core.surfaces.formula_graph import OPERATIONS

# Reason codes: 0 = no domain error; code c >= 1 reads DOMAIN_REASONS[c - 1].
DOMAIN_REASONS = (
    "division by zero",
    "log of a negative number",
    "log of zero",
    "square root of a negative number",
    "zero to a negative power",
    "a negative number to a fractional power",
    "arcsin or arccos outside [-1, 1]",
)
_CODE = {reason: code for code, reason in enumerate(DOMAIN_REASONS, start=1)}
_LOGS = ("log", "log2", "log10")


def domain_error(op: str, *args) -> np.ndarray:
    """Reason code (int8, 0 = none) of applying ``op`` to ``args``, elementwise.

    Conditions: ``a / b`` with ``b = 0``; ``log a`` with ``a < 0`` or ``a = 0``;
    ``sqrt a`` with ``a < 0``; ``a ** b`` with ``a = 0, b < 0`` or with ``a < 0`` and
    ``b`` not a whole number; ``arcsin a``, ``arccos a`` with ``|a| > 1``. NaN inputs meet
    no condition (their cause lies further down the tape).
    """
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in args))
    code = np.zeros(arrays[0].shape, dtype=np.int8)
    a = arrays[0]
    with np.errstate(all="ignore"):
        if op == "div":
            cases = [(arrays[1] == 0, "division by zero")]
        elif op in _LOGS:
            cases = [(a < 0, "log of a negative number"), (a == 0, "log of zero")]
        elif op == "sqrt":
            cases = [(a < 0, "square root of a negative number")]
        elif op == "pow":
            b = arrays[1]
            fractional = np.isfinite(b) & (b != np.floor(b))
            cases = [
                ((a == 0) & (b < 0), "zero to a negative power"),
                ((a < 0) & fractional, "a negative number to a fractional power"),
            ]
        elif op in ("arcsin", "arccos"):
            cases = [(np.abs(a) > 1, "arcsin or arccos outside [-1, 1]")]
        else:
            cases = []
    for where, reason in cases:
        code[where & (code == 0)] = _CODE[reason]
    return code


def evaluate_with_domain(
    program: list, output: int, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The value of node ``output`` at (x, y) and its domain reason codes (never warns).

    Returns
    -------
    value : float64 array, the broadcast shape of x and y.
    reason : int8 array, same shape: 0 where the value is finite or merely overflowed,
        else the code (``DOMAIN_REASONS[code - 1]``) of the first domain error below it.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    shape = np.broadcast_shapes(x.shape, y.shape)
    values: dict[int, object] = {}
    codes: dict[int, np.ndarray] = {}
    no_error = np.zeros(shape, dtype=np.int8)
    with np.errstate(all="ignore"):
        for i, (op, *args), frees in program:
            if op in ("const", "var"):
                values[i] = args[0] if op == "const" else (x if args[0] == "x" else y)
                codes[i] = no_error
            else:
                inputs = [values[a] for a in args]
                values[i] = OPERATIONS[op](*inputs)
                below = [codes[a] for a in args]
                codes[i] = _first_cause(values[i], domain_error(op, *inputs), below)
            for done in frees:
                del values[done], codes[done]
    value = np.array(np.broadcast_to(values[output], shape), dtype=np.float64)
    reason = np.where(np.isfinite(value), 0, np.broadcast_to(codes[output], shape))
    return value, reason.astype(np.int8)


def _first_cause(value, own: np.ndarray, below: list[np.ndarray]) -> np.ndarray:
    """The deepest cause of a non-finite ``value``: an operand's error came first, this
    node's own error else; a finite value healed any error below (``arctan(1/0)``)."""
    if not own.any() and not any(child.any() for child in below):
        return own  # the common case: nothing to trace
    code = own
    for child in reversed(below):
        if child.any():
            code = np.where(child != 0, child, code)
    return np.where(np.isfinite(value), 0, code).astype(np.int8)


def describe_reasons(reason: np.ndarray) -> str:
    """The reasons present in ``reason`` codes, most frequent first, joined by ' / '."""
    codes, counts = np.unique(reason[reason > 0], return_counts=True)
    order = np.argsort(-counts, kind="stable")
    return " / ".join(DOMAIN_REASONS[int(codes[i]) - 1] for i in order)


def undefined_warning(reason: np.ndarray, what: str = "formula") -> str:
    """One sentence on how much of a sampled box is undefined, or "" if none of it.

    ``"The formula is undefined on 48 % of this box (log of a negative number)."``;
    ``"The formula is undefined everywhere in this box: nothing to descend."``
    """
    reason = np.asarray(reason)
    undefined = int(np.count_nonzero(reason))
    if undefined == 0:
        return ""
    if undefined == reason.size:
        return f"The {what} is undefined everywhere in this box: nothing to descend."
    percent = 100.0 * undefined / reason.size
    if percent < 1:
        share = "less than 1 %"
    elif percent > 99:
        share = "more than 99 %"
    else:
        share = f"{round(percent)} %"
    return f"The {what} is undefined on {share} of this box ({describe_reasons(reason)})."
