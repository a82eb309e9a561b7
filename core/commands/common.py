"""Argument-parsing pieces shared by the headless commands (no Qt here)."""

from __future__ import annotations

import argparse
import math
import re
import sys

# argparse only takes "-1" and "-1.5" as negative numbers; "-1e-05", "-.5e3" and "-inf"
# would be read as unknown options. This pattern admits every float notation.
_NEGATIVE_NUMBER = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-inf(inity)?$", re.IGNORECASE)


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2, and which
    accepts negative numbers in any notation as option values."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = _NEGATIVE_NUMBER

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {one_line(message)}\n")
        raise SystemExit(2)


def one_line(message: str) -> str:
    """``message`` with line breaks and other control characters escaped: argparse quotes
    unknown arguments verbatim, and an argument may hold a newline."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(message))


def parse_finite(text: str, name: str) -> float:
    """``text`` as a finite float, or ValueError naming the option: ``--lr-sweep MIN must be
    a finite number, got 'abc'``."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {text!r}")
    return value


def finite_float(text: str) -> float:
    """A finite float in any Python notation (``1e-3``, ``-1.5``, ``.5``), for argparse."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be finite: {text!r}")
    return value


def non_negative_float(text: str) -> float:
    value = finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0: {text!r}")
    return value


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0: {text!r}")
    return value


def float_list(text: str) -> list[float]:
    """A comma-separated list of finite floats, e.g. ``0.001,0.01,-1e-3``."""
    parts = [p.strip() for p in text.split(",")]
    if not all(parts):
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text!r}")
    return [finite_float(p) for p in parts]


def name_list(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",")]
    if not all(parts):
        raise argparse.ArgumentTypeError(f"not a comma-separated list of names: {text!r}")
    return parts


def fmt(value: float) -> str:
    """The shortest text that reads back as exactly the same float: ``repr(float(v))``."""
    return repr(float(value))
