"""Building blocks of a layer: activations with their derivatives, batch norm, initial weights.

Every activation maps the weighted input ``z`` to ``a = f(z)`` elementwise and, on the
backward pass, turns ``dL/da`` into ``dL/dz = dL/da * f'(z)``. The derivative is written
in terms of ``z`` or of the already computed ``a`` (``tanh' = 1 - a^2``), whichever is
cheaper. ``softmax`` is an output function: it acts on a whole row and its Jacobian is
not diagonal, so its backward pass multiplies by that Jacobian.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

LEAKY_SLOPE = 0.01  # negative slope of leaky_relu (torch's default)
ELU_ALPHA = 1.0  # saturation value -alpha of elu for z -> -inf (torch's default)


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The logistic function 1 / (1 + exp(-z)), without overflow warnings for large -z."""
    e = np.negative(z, out=out)
    with np.errstate(over="ignore"):
        np.exp(e, out=e)
    e += 1.0
    return np.reciprocal(e, out=e)


def _sigmoid_grad(da, z, a, scratch=None):
    s = np.subtract(1.0, a, out=scratch)
    s *= a  # sigma'(z) = a (1 - a)
    da *= s
    return da


# tanh by table and series: z = h + l with h on a grid of step 1/512, |l| < 1/512, l and h
# of the sign of z. The table holds tanh(k / 512) for k = 0..10240 and then, so that a
# negative row index -k reads tanh(-k / 512), the same values negated in reverse order.
_TANH_STEP = 512
_TANH_LIMIT = 20.0  # tanh(z) rounds to +-1.0 beyond |z| = 19.1
_TANH_TABLE = np.tanh(
    np.arange(int(_TANH_LIMIT * _TANH_STEP) + 1, dtype=np.longdouble) / _TANH_STEP
).astype(np.float64)  # correctly rounded where long double allows
_TANH_TABLE = np.concatenate([_TANH_TABLE, -_TANH_TABLE[:0:-1]])
_TANH_MIN_SIZE = 3000  # below, the ~20 calls of the table route cost more than np.tanh


def tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """tanh(z) within 3 ulp of the exact value, by whichever route is faster on this CPU.

    NumPy's float64 tanh is a vectorized SVML kernel on AVX-512 CPUs but a scalar loop
    on others (AVX2), where the table route below is about 2x faster; on AVX-512 it is
    4-9x slower. :data:`TANH_CALIBRATION` times both once at import and large
    float64 arrays take the faster one (:func:`tanh_route`, :func:`set_tanh_route`).
    Arrays under 3,000 elements, where the fixed cost of the ~20 NumPy calls of the table
    route dominates, and float32 (the loss grid; NumPy vectorizes float32 tanh on every
    CPU) always go to ``np.tanh``. Either route: tanh(+-inf) = +-1, NaN stays NaN.
    """
    z = np.asarray(z)
    if _large_tanh is np.tanh or z.dtype == np.float32 or z.size < _TANH_MIN_SIZE:
        return np.tanh(z, out=out)
    return _large_tanh(z, out)


def _tanh_table(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """tanh(z) within 3 ulp of the exact value everywhere, at the speed of an exp-based form.

    With z = h + l, h = trunc(512 z) / 512 and |l| < 1/512 (h and l share the sign of
    z), the addition theorem gives tanh z = (tanh h + tanh l) / (1 + tanh h tanh l):
    tanh h comes from a table built once (|h| <= 20), tanh l from its Taylor series
    l - l^3/3 + 2 l^5/15, whose next term is below 4e-18 relative for such small l. The
    two terms have the same sign, so nothing cancels (the shortcut 2 / (1 + exp(-2 z)) - 1
    lost most digits near 0). tanh(-0.0) gives 0.0.
    """
    x = np.clip(z, -_TANH_LIMIT, _TANH_LIMIT, out=out)  # NaN stays NaN and flows on in l
    h = np.fmin(x, _TANH_LIMIT)  # ... but not into the row index
    h *= _TANH_STEP
    np.trunc(h, out=h)
    tanh_h = _TANH_TABLE[h.astype(np.intp)]
    h *= 1.0 / _TANH_STEP
    x -= h  # l = z - h, exact: both lie within a factor 2 of each other, or h = 0
    _add_tanh_series(x, tanh_h, scratch=h)
    return x


def _add_tanh_series(x, tanh_h, scratch):
    """Overwrite x = l with (tanh h + tanh l) / (1 + tanh h tanh l), tanh l by its series."""
    s = np.multiply(x, x, out=scratch)  # l^2
    tanh_l = s * (2.0 / 15.0)
    tanh_l -= 1.0 / 3.0
    tanh_l *= s
    tanh_l *= x
    tanh_l += x  # l + l^3 (-1/3 + 2 l^2 / 15)
    np.multiply(tanh_h, tanh_l, out=s)
    s += 1.0
    tanh_l += tanh_h
    np.divide(tanh_l, s, out=x)


# The route large float64 arrays take, chosen once by timing both on a hidden layer of a
# [2,64,64,64,1] net at batch 256. The table must win clearly: where the two are within
# noise of each other a close race could flip between runs and change the last digits of
# a training run, so np.tanh (bit-identical to NumPy's own numbers) keeps the tie.
TANH_ROUTES: tuple[str, ...] = ("numpy", "table")
_TANH_ROUTE_FUNCTIONS = {"numpy": np.tanh, "table": _tanh_table}
_TABLE_MARGIN = 1.25  # the table route is chosen only when this many times faster
_CALIBRATION_SHAPE = (256, 64)


@dataclass(frozen=True, slots=True)
class TanhCalibration:
    """The route chosen for large float64 tanh and the timings that chose it.

    ``numpy_seconds`` and ``table_seconds`` are the fastest of ``repeats`` calls of each
    route on the same (256, 64) array, timed in alternation.
    """

    route: str
    numpy_seconds: float
    table_seconds: float
    repeats: int

    def __str__(self) -> str:
        return (
            f"tanh route {self.route!r} (np.tanh {self.numpy_seconds * 1e6:.0f} us, "
            f"table {self.table_seconds * 1e6:.0f} us per (256, 64) array)"
        )


def calibrate_tanh(repeats: int = 7, timer=time.perf_counter) -> TanhCalibration:
    """Time both tanh routes on a representative array and pick the faster.

    Each route runs ``repeats`` times, alternating, and keeps its fastest call: the
    minimum is the time without interference from the other processes of a shared
    machine. The table wins only when faster by a factor ``_TABLE_MARGIN``. Costs a few
    milliseconds; the result does not change which route is in use (see set_tanh_route).
    """
    z = np.random.default_rng(0).normal(0.0, 2.0, _CALIBRATION_SHAPE)
    out = np.empty_like(z)
    best = dict.fromkeys(TANH_ROUTES, np.inf)
    for _ in range(repeats):
        for name in TANH_ROUTES:
            route = _TANH_ROUTE_FUNCTIONS[name]
            start = timer()
            route(z, out)
            best[name] = min(best[name], timer() - start)
    chosen = "table" if best["table"] * _TABLE_MARGIN < best["numpy"] else "numpy"
    return TanhCalibration(chosen, best["numpy"], best["table"], repeats)


def tanh_route() -> str:
    """The route large float64 arrays take now: ``numpy`` or ``table``."""
    return _route_in_use


def set_tanh_route(route: str) -> str:
    """Send large float64 arrays through ``route`` (``numpy`` or ``table``); returns the
    route used until now, so that a test can put it back."""
    global _large_tanh, _route_in_use
    if route not in TANH_ROUTES:
        raise ValueError(f"tanh route must be one of {', '.join(TANH_ROUTES)}; got {route!r}")
    previous = _route_in_use
    _large_tanh, _route_in_use = _TANH_ROUTE_FUNCTIONS[route], route
    return previous


TANH_CALIBRATION = calibrate_tanh()
_route_in_use = TANH_CALIBRATION.route
_large_tanh = _TANH_ROUTE_FUNCTIONS[_route_in_use]  # np.tanh itself or _tanh_table


def _tanh_grad(da, z, a, scratch=None):
    s = np.multiply(a, a, out=scratch)
    np.subtract(1.0, s, out=s)  # tanh'(z) = 1 - a^2
    da *= s
    return da


def _relu(z, out=None):
    return np.maximum(z, 0.0, out=out)


def _relu_grad(da, z, a, scratch=None):
    da *= z > 0  # relu'(z) = 1 for z > 0, else 0 (torch's choice at z = 0)
    return da


def _leaky_relu(z, out=None):
    return np.maximum(z, LEAKY_SLOPE * z, out=out)  # max(z, 0.01 z): z or 0.01 z


def _leaky_relu_grad(da, z, a, scratch=None):
    da *= np.where(z > 0, 1.0, LEAKY_SLOPE)  # slope 1 or 0.01
    return da


def _linear(z, out=None):
    return z


def _linear_grad(da, z, a, scratch=None):
    return da  # identity: f'(z) = 1


def _elu(z, out=None):
    return np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def _elu_grad(da, z, a, scratch=None):
    # elu'(z) = alpha e^z for z <= 0, from z as torch does: a + alpha would cancel to 0
    # for z below about -37 where alpha e^z is still a normal number
    da *= np.where(z > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(z, 0.0)))
    return da


def _softplus(z, out=None):
    return np.logaddexp(0.0, z)  # log(1 + e^z), stable for any z


def _softplus_grad(da, z, a, scratch=None):
    da *= sigmoid(z)  # softplus'(z) = sigma(z)
    return da


def softmax(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Row-wise softmax exp(z_i) / sum_j exp(z_j), shifted by the row maximum for stability."""
    e = z - z.max(axis=-1, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=-1, keepdims=True)
    return e


def _softmax_grad(da, z, a, scratch=None):
    # Jacobian-vector product: dL/dz_i = a_i (dL/da_i - sum_j dL/da_j a_j)
    return a * (da - np.sum(da * a, axis=-1, keepdims=True))


# name -> (forward f(z, out=None), backward (dL/da, z, a, scratch=None) -> dL/dz); the
# backward may overwrite dL/da (always a temporary) and may use ``scratch`` (shaped like a)
ACTIVATIONS: dict[str, tuple] = {
    "sigmoid": (sigmoid, _sigmoid_grad),
    "tanh": (tanh, _tanh_grad),
    "relu": (_relu, _relu_grad),
    "leaky_relu": (_leaky_relu, _leaky_relu_grad),
    "linear": (_linear, _linear_grad),
    "elu": (_elu, _elu_grad),
    "softplus": (_softplus, _softplus_grad),
}
HIDDEN_ACTIVATIONS: tuple[str, ...] = tuple(ACTIVATIONS)
OUTPUT_ACTIVATIONS: tuple[str, ...] = ("linear", "sigmoid", "softmax")
_OUTPUT: dict[str, tuple] = {
    "linear": ACTIVATIONS["linear"],
    "sigmoid": ACTIVATIONS["sigmoid"],
    "softmax": (softmax, _softmax_grad),
}


def hidden_activation(name: str) -> tuple:
    """The (forward, backward) pair of a hidden-layer activation; ValueError if unknown."""
    return _pick(ACTIVATIONS, "activation", name)


def output_activation(name: str) -> tuple:
    """The (forward, backward) pair of an output function; ValueError if unknown."""
    return _pick(_OUTPUT, "output", name)


def _pick(table: dict, field: str, name: str) -> tuple:
    if name not in table:
        raise ValueError(f"{field} must be one of {', '.join(table)}; got {name!r}")
    return table[name]


# Batch normalization (Ioffe & Szegedy 2015) sits between a hidden layer's z and its
# activation: it is the per-unit affine map that keeps f's input centred and scaled.
BN_EPS = 1e-5  # torch BatchNorm1d default
BN_MOMENTUM = 0.1  # weight of the newest batch in the running statistics (torch default)


def batch_norm_forward(z, gamma, beta, running_mean, running_var, training: bool):
    """hat = (z - mean) / sqrt(var + eps), out = gamma * hat + beta.

    While training, mean and var are the batch's (biased variance, as torch normalizes);
    otherwise the running statistics. Returns (hat, out, mean, var).
    """
    if training:
        if z.shape[0] < 2:
            raise ValueError("batch norm needs a batch of at least 2 samples while training")
        mean = z.mean(axis=0)
        centered = z - mean
        var = np.mean(centered * centered, axis=0)
    else:
        mean, var = running_mean.copy(), running_var.copy()
        centered = z - mean
    hat = centered / np.sqrt(var + BN_EPS)
    return hat, gamma * hat + beta, mean, var


def batch_norm_backward(g, hat, var, gamma, training: bool):
    """Gradients through batch norm given g = dL/dout.

    dgamma = sum_n g hat, dbeta = sum_n g; while training (the batch statistics depend on
    z too) dL/dz = gamma / sigma * (g - mean_n(g) - hat * mean_n(g hat)); in evaluation
    mode dL/dz = gamma / sigma * g. Returns (dL/dz, dgamma, dbeta).
    """
    dgamma = np.sum(g * hat, axis=0)
    dbeta = g.sum(axis=0)
    scale = gamma / np.sqrt(var + BN_EPS)
    if not training:
        return g * scale, dgamma, dbeta
    n = g.shape[0]
    return scale * (g - dbeta / n - hat * (dgamma / n)), dgamma, dbeta


def update_running_stats(running_mean, running_var, mean, var, n: int, momentum=BN_MOMENTUM):
    """running <- (1 - momentum) running + momentum batch, in place; the variance folded in
    is the unbiased batch variance var * n / (n - 1), as torch does."""
    running_mean *= 1.0 - momentum
    running_mean += momentum * mean
    running_var *= 1.0 - momentum
    running_var += momentum * var * (n / (n - 1))


# Initial weights: the scale decides whether signals and gradients keep their size through
# many layers (xavier for tanh/sigmoid, he for relu) or shrink or grow layer by layer.
INITS: tuple[str, ...] = ("xavier", "xavier_normal", "he", "small", "large", "zeros")


def init_weights(init: str, rng: np.random.Generator, n_in: int, n_out: int) -> np.ndarray:
    """A seeded (n_in, n_out) weight matrix.

    xavier: U(-r, r), r = sqrt(6 / (n_in + n_out)); xavier_normal: N(0, 2 / (n_in + n_out));
    he: N(0, 2 / n_in); small: N(0, 0.01^2); large: N(0, 1); zeros: all 0 (every unit of a
    layer then gets the same gradient and they never become different).
    """
    shape = (n_in, n_out)
    if init == "xavier":
        limit = np.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-limit, limit, shape)
    std = {
        "xavier_normal": np.sqrt(2.0 / (n_in + n_out)),
        "he": np.sqrt(2.0 / n_in),
        "small": 0.01,
        "large": 1.0,
    }.get(init)
    return np.zeros(shape) if std is None else rng.normal(0.0, std, shape)
