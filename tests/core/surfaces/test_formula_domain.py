"""Where a formula is undefined and why; syntax errors that warn or end early."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.surfaces.domain import DOMAIN_REASONS, undefined_warning
from core.surfaces.formula import Formula
from core.surfaces.surface import expression_surface, get_surface


def reason_of(code: int) -> str:
    return DOMAIN_REASONS[code - 1] if code else ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1if x else 2", "syntax error at column 1: invalid decimal literal"),
        ("x**", "syntax error at column 3: the formula ends too early"),
        ("  x +", "syntax error at column 5: the formula ends too early"),
        ("sin(x", "syntax error at column 4: '(' was never closed"),
        ("1/0", "division by zero at column 2"),
        ("x/0", "division by zero at column 2"),
        ("x / (y - y)", "division by zero at column 3"),
        ("x + log(-1)", "log of a negative number at column 5"),
        ("x + log(0)", "log of zero at column 5"),
        ("sqrt(-2) * y", "square root of a negative number at column 1"),
        ("x + 0**-1", "zero to a negative power at column 6"),
        ("x + (-8)**0.5", "a negative number to a fractional power at column 9"),
        ("asin(2) + x", "arcsin or arccos outside [-1, 1] at column 1"),
        ("x + exp(1000)", "number is too large (overflow) at column 5"),
    ],
)
def test_errors_are_one_line_with_the_right_column_and_no_warning(text, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a SyntaxWarning leaking out would fail here
        with pytest.raises(ValueError) as caught:
            Formula(text)
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "x", "y", "reason"),
    [
        ("1/x + y", 0.0, 1.0, "division by zero"),
        ("log(x) + y", -1.0, 0.0, "log of a negative number"),
        ("log(x) + y", 0.0, 0.0, "log of zero"),
        ("sqrt(x) + y", -4.0, 0.0, "square root of a negative number"),
        ("x**(-y)", 0.0, 2.0, "zero to a negative power"),
        ("x**y", -8.0, 0.5, "a negative number to a fractional power"),
        ("arccos(x) + y", 1.5, 0.0, "arcsin or arccos outside [-1, 1]"),
        ("log(1/x) + y", 0.0, 0.0, "division by zero"),  # the first cause, not log(inf)
        ("exp(exp(exp(x))) + y", 3.0, 0.0, ""),  # overflow: defined, merely huge
        ("exp(1000*x) - exp(1000*x)", 1.0, 0.0, ""),  # inf - inf from overflow: not undefined
        ("exp(-1/x**2) + y", 0.0, 0.0, ""),  # finite at 0: the division healed
        ("x**2 + y**2", 0.5, 0.5, ""),
    ],
)
def test_domain_reason_names_the_operation(text, x, y, reason):
    value, code = Formula(text).value_with_domain(np.array([x]), np.array([y]))
    assert reason_of(int(code[0])) == reason
    assert bool(code[0]) == (reason != "")
    if reason:
        assert not np.isfinite(value[0])


def test_value_with_domain_equals_value_and_never_warns():
    f = Formula("log(x) + 1/y + exp(1000*x) + sqrt(-x) + arcsin(y) + x**y")
    x, y = np.meshgrid(np.linspace(-2, 2, 21), np.linspace(-2, 2, 17))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, code = f.value_with_domain(x, y)
    np.testing.assert_array_equal(value, f.value(x, y))
    assert code.shape == x.shape and code.dtype == np.int8
    assert not code[np.isfinite(value)].any()  # finite means defined


def test_undefined_at_on_surfaces():
    log_x = expression_surface("log(x) + y**2")
    points = np.array([[-1.0, 0.0], [1.0, 2.0], [0.0, 1.0]])
    np.testing.assert_array_equal(log_x.undefined_at(points), [True, False, True])
    np.testing.assert_array_equal(log_x.undefined_reasons(points), [2, 0, 3])
    huge = expression_surface("exp(exp(exp(x)))")
    assert not huge.undefined_at(np.array([[3.0, 0.0]])).any()  # overflow, not undefined
    rosenbrock = get_surface("rosenbrock")
    assert not rosenbrock.undefined_at(np.array([[1e200, 1e200], [0.0, 0.0]])).any()


def test_undefined_warning_sentences():
    half = np.array([0, 0, 2, 3], dtype=np.int8)
    assert undefined_warning(half) == (
        "The formula is undefined on 50 % of this box (log of a negative number / log of zero)."
    )
    everywhere = np.full(7, 4, dtype=np.int8)
    assert undefined_warning(everywhere) == (
        "The formula is undefined everywhere in this box: nothing to descend."
    )
    assert undefined_warning(np.zeros(5, dtype=np.int8)) == ""
    sliver = np.zeros(1000, dtype=np.int8)
    sliver[3] = 1
    assert "less than 1 %" in undefined_warning(sliver)
    sliver[:] = 1
    sliver[3] = 0
    assert "more than 99 %" in undefined_warning(sliver)


EDGES = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5])
COORD = st.one_of(EDGES, st.floats(-3, 3, allow_nan=False))


@settings(max_examples=300, deadline=None)
@given(x=COORD, y=COORD)
def test_reason_follows_the_math(x, y):
    """log(x) + sqrt(y) + 1/(x - y): the leftmost failing operation is the reason."""
    value, code = Formula("log(x) + sqrt(y) + 1/(x - y)").value_with_domain(
        np.array([x]), np.array([y])
    )
    if x < 0:
        expected = "log of a negative number"
    elif x == 0:
        expected = "log of zero"
    elif y < 0:
        expected = "square root of a negative number"
    elif x == y:
        expected = "division by zero"
    else:
        expected = ""
    if expected == "":  # defined: the value is the plain sum
        with np.errstate(all="ignore"):
            plain = np.log(x) + np.sqrt(y) + 1 / (x - y)
        assert value[0] == plain or not np.isfinite(plain)  # 1/(x-y) may overflow
    assert reason_of(int(code[0])) == expected
