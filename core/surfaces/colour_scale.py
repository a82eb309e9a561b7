"""Colour scales for a sampled landscape, and the ticks of its colour bar.

A colour map shows differences only where colours change. A range the linear scale
flattens (``x**8``: most of the box one colour) gets a log scale; a range that even the
log scale flattens (``exp(exp(exp(x)))``: values from 3 to 1e308) gets a *rank* scale,
where each colour covers an equal share of the box (histogram equalization). The
choice, the mapping ``loss -> display value`` and the colour-bar ticks with their labels
are computed here once, so the views only draw them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

LINEAR, LOG, RANK = "linear", "log", "rank"
TITLES = {
    LINEAR: "loss",
    LOG: "loss (log scale)",
    RANK: "loss (rank scale: each colour covers an equal area)",
}
LEVEL_PERCENTILES = (0.5, 99.5)  # robust colour levels: ignore the extreme 0.5 % each side
# A scale is "flat" when the middle half of the box gets less than this share of the
# colour range (the interquartile range of display values over the robust range).
MIN_SPREAD = 0.08
LOG_OFFSET_FRACTION = 1e-5  # log scale: loss - loss_min + offset, offset = this x spread
_RANK_KNOTS = 257
_LN10 = np.log(10.0)


def _symlog(v: np.ndarray) -> np.ndarray:
    """``sign(v) log10(1 + |v|)``: monotone, finite for every float, exact near 0."""
    return np.sign(v) * np.log1p(np.abs(v)) / _LN10


def _symexp(t: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.sign(t) * np.expm1(np.abs(t) * _LN10)


def _read_only(arr) -> np.ndarray:
    arr = np.array(arr, dtype=np.float64)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, slots=True)
class ColourScale:
    """The map from loss to display value (what the colour map and the contours see).

    ``linear``: ``d = loss``. ``log``: ``d = log10(max(loss - loss_min, 0) + offset)``.
    ``rank``: ``d = F(loss)``, the share of the sampled box with a lower loss (``F``
    interpolated between ``knots``, which are ``symlog(loss)`` at the shares ``ranks``).
    """

    kind: str = LINEAR
    loss_min: float = 0.0
    offset: float = 1.0
    knots: np.ndarray = field(default_factory=lambda: _read_only([]))
    ranks: np.ndarray = field(default_factory=lambda: _read_only([]))

    def display(self, loss) -> np.ndarray:
        """Display values of finite losses (non-finite in, non-finite out)."""
        loss = np.asarray(loss, dtype=np.float64)
        with np.errstate(all="ignore"):
            if self.kind == LOG:
                return np.log10(np.maximum(loss - self.loss_min, 0.0) + self.offset)
            if self.kind == RANK:
                out = np.interp(_symlog(loss), self.knots, self.ranks)
                return np.where(np.isfinite(loss), out, loss)
        return loss.copy()

    def loss_at(self, display) -> np.ndarray:
        """The loss a display value stands for (the inverse of :meth:`display`)."""
        d = np.asarray(display, dtype=np.float64)
        with np.errstate(all="ignore"):
            if self.kind == LOG:
                return 10.0**d - self.offset + self.loss_min
            if self.kind == RANK:
                return _symexp(np.interp(d, self.ranks, self.knots))
        return d.copy()

    @property
    def title(self) -> str:
        return TITLES[self.kind]


def _spread(display: np.ndarray) -> float:
    """Share of the robust colour range taken by the middle half of the values."""
    lo, q1, q3, hi = np.percentile(display, [LEVEL_PERCENTILES[0], 25, 75, LEVEL_PERCENTILES[1]])
    if not hi > lo:  # all but a few values in one colour: flat, unless all are
        return 1.0 if not np.max(display) > np.min(display) else 0.0
    return float((q3 - q1) / (hi - lo))


def choose_colour_scale(values, prefer_log: bool = False, known_min=None) -> ColourScale:
    """The first of linear, log, rank that does not flatten ``values`` (finite losses).

    A surface that asks for a log scale (``prefer_log``) keeps it. ``known_min`` (the
    loss at a known minimum) lowers ``loss_min`` so valleys below the samples keep detail.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size == 0:
        return ColourScale()
    if not prefer_log and _spread(values) >= MIN_SPREAD:
        return ColourScale()
    loss_min = float(values.min())
    if known_min is not None and np.isfinite(known_min):
        loss_min = min(loss_min, float(known_min))
    with np.errstate(all="ignore"):
        spread = float(np.percentile(values, LEVEL_PERCENTILES[1])) - loss_min
    if np.isfinite(spread):
        log = ColourScale(LOG, loss_min, max(LOG_OFFSET_FRACTION * spread, 1e-12))
        if prefer_log or _spread(log.display(values)) >= MIN_SPREAD:
            return log
    ranks = np.linspace(0.0, 1.0, _RANK_KNOTS)
    knots, first = np.unique(np.quantile(_symlog(values), ranks), return_index=True)
    if knots.size < 2:
        return ColourScale()
    return ColourScale(RANK, loss_min, 1.0, _read_only(knots), _read_only(ranks[first]))


def nice_step(span: float, target: int) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``target`` steps."""
    if not np.isfinite(span) or span <= 0:
        return 1.0
    raw = span / max(target, 1)
    power = 10.0 ** np.floor(np.log10(raw))
    for mult in (1.0, 2.0, 2.5, 5.0, 10.0):
        if mult * power >= raw:
            return float(mult * power)
    return float(10.0 * power)


def tick_label(value: float) -> str:
    """Compact text of a tick value: ``0.001``, ``12.5``, ``99999``, ``1e+05``, ``2.5e+262``."""
    value = float(value)
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e5:
        return f"{value:.6g}"
    return f"{value:.3g}"


def _round_values(low: float, high: float, target: int) -> list[tuple[int, float]]:
    """(priority, value) candidates in [low, high]: 0 and powers of ten first, then
    2 and 5 times them, then multiples of a linear round step."""
    found = [(0, 0.0)] if low <= 0 <= high else []
    for exponent in range(-320, 309):
        for rank, mantissa in ((0, 1), (1, 2), (1, 5)):
            v = float(f"{mantissa}e{exponent}")
            found += [(rank, s) for s in (v, -v) if low <= s <= high]
    with np.errstate(over="ignore", invalid="ignore"):
        step = nice_step(high - low, target + 2)
    if np.isfinite(high - low) and step > 0:
        first = np.ceil(low / step)
        count = min(int(np.floor(high / step) - first) + 1, 4 * target)
        found += [(2, float((first + i) * step)) for i in range(max(count, 0))]
    return found


def colorbar_ticks(scale: ColourScale, lo: float, hi: float, target: int = 6) -> tuple:
    """Ticks ``((display_value, label), ...)`` for a colour bar spanning ``[lo, hi]``.

    Labels are round losses (compact, no shared multiplier); positions are their display
    values, at least ``(hi - lo) / (target + 4)`` apart, so labels never collide.
    """
    if not hi > lo:
        return ()
    losses = scale.loss_at(np.array([lo, hi]))
    low, high = float(np.nanmin(losses)), float(np.nanmax(losses))
    if scale.kind == LINEAR:
        low, high = lo, hi
    gap = (hi - lo) / (target + 4)
    candidates = _round_values(low, high, target)
    if scale.kind == LINEAR:  # evenly spaced multiples of one round step
        candidates = [c for c in candidates if c[0] == 2]
    chosen: list[tuple[float, float]] = []
    for _, value in sorted(candidates, key=lambda c: c[0]):
        where = float(scale.display(value))
        if lo <= where <= hi and all(abs(where - w) >= gap for w, _ in chosen):
            chosen.append((where, value))
    return tuple((w, tick_label(v)) for w, v in sorted(chosen))
