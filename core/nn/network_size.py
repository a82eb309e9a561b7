"""How big a network and a pass over data may be: checked up front, in core, so that the
window and the command line refuse the same sizes with the same message.
"""

from __future__ import annotations

import itertools
import numbers

__all__ = [
    "MAX_ACTIVATIONS",
    "MAX_LAYERS",
    "MAX_PARAMETERS",
    "check_sizes",
    "check_work_size",
    "parameter_count",
]

# Limits that keep a network within a desktop's memory and a teaching app's purpose:
# refused up front with a message, instead of a MemoryError halfway through a run.
MAX_PARAMETERS = 1_000_000  # weights and biases: 8 MB, copied into every frame
MAX_ACTIVATIONS = 20_000_000  # samples x units in one pass: 160 MB per z, a or delta
MAX_LAYERS = 64


def check_sizes(sizes, field: str = "sizes") -> tuple[int, ...]:
    """Layer sizes as a tuple of ints, checked: a list of 2 to MAX_LAYERS positive integers
    (not bools, not strings, not floats) whose parameters stay within MAX_PARAMETERS.

    ValueError names ``field`` (``sizes`` for an MLP, ``layers`` for a config)."""
    if isinstance(sizes, str | bytes) or not hasattr(sizes, "__iter__"):
        raise ValueError(f"{field} must be a list of integers, got {sizes!r}")
    sizes = tuple(sizes)
    if not 2 <= len(sizes) <= MAX_LAYERS:
        raise ValueError(f"{field} must have >= 2 entries (at most {MAX_LAYERS}), got {len(sizes)}")
    for k, size in enumerate(sizes):
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
            raise ValueError(f"{field}[{k}] must be a positive integer, got {size!r}")
    sizes = tuple(int(s) for s in sizes)
    count = parameter_count(sizes)
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"{field} {list(sizes)} have {count:,} parameters, more than the limit "
            f"{MAX_PARAMETERS:,}"
        )
    return sizes


def parameter_count(sizes) -> int:
    """Weights and biases of layers ``sizes``: sum over layers of (n_in + 1) n_out."""
    return sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))


def check_work_size(sizes, n_samples: int) -> None:
    """Refuse a pass whose activations exceed MAX_ACTIVATIONS values.

    A pass over ``n_samples`` samples holds z and a of shape (n_samples, units) per layer:
    n_samples x sum(units) values each.
    """
    units = sum(check_sizes(sizes, "layers"))
    if n_samples * units > MAX_ACTIVATIONS:
        raise ValueError(
            f"layers: {n_samples:,} samples x {units:,} units = {n_samples * units:,} "
            f"activation values per pass, more than the limit {MAX_ACTIVATIONS:,}"
        )
