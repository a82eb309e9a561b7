"""The loss landscape of a network: a 2-D slice through weight space around its weights.

After Li, Xu, Taylor, Studer & Goldstein (2018), "Visualizing the Loss Landscape of Neural
Nets": pick two directions d1, d2 shaped like the parameters and evaluate
``f(alpha, beta) = L(theta + alpha d1 + beta d2)`` on a grid. Random directions are
*filter-normalized*: each output neuron's incoming weights in d get the norm of that
neuron's weights in theta, so the picture does not depend on how the weights happen to be
scaled. Alternatively the two principal directions of a training trajectory put the path
itself in the plane. A direction is ``(list of W-shaped arrays, list of b-shaped arrays)``.
"""

from __future__ import annotations

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from core.nn.activations import BN_EPS
from core.nn.losses import check_loss, prepare_targets
from core.nn.network import MLP

__all__ = [
    "LandscapeCancelled",
    "loss_at_points",
    "loss_grid",
    "pca_directions",
    "project",
    "random_directions",
    "trajectory_of",
]

_CHUNK_ELEMENTS = 1 << 18  # activations per chunk of grid points: stays in the CPU cache
MAX_WORKERS = 4  # threads that evaluate chunks side by side (NumPy releases the GIL in them)
_SERIAL_BELOW = 4  # chunks: fewer run in the calling thread (a pool would cost more)


def slice_workers(n_chunks: int) -> int:
    """Threads for ``n_chunks`` chunks: one per CPU this process may use (at most
    MAX_WORKERS), one for a small job. BLAS is held to one thread in Slope (main.py), so
    the cores are shared out here, over independent chunks, instead."""
    if n_chunks < _SERIAL_BELOW:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cpus, n_chunks))


class LandscapeCancelled(Exception):
    """A landscape computation stopped because its ``progress`` callback said so."""


def random_directions(net: MLP, seed: int = 0, normalize: str = "filter", biases: str = "zero"):
    """Two seeded Gaussian directions ``(d1, d2)`` scaled to the network's weights.

    normalize: ``filter`` (column j of d_W rescaled to ||W[:, j]||), ``layer`` (d_W to
    ||W||_F) or ``none``. biases: ``zero`` (Li et al.'s default: bias directions are 0) or
    ``filter`` (b[j] joins column j of W as one more incoming weight of neuron j).
    """
    if normalize not in ("filter", "layer", "none"):
        raise ValueError(f"normalize must be filter, layer or none; got {normalize!r}")
    if biases not in ("zero", "filter"):
        raise ValueError(f"biases must be zero or filter; got {biases!r}")
    rng = np.random.default_rng(seed)
    directions = []
    for _ in range(2):
        dW, db = [], []
        for W, b in zip(net.weights, net.biases, strict=True):
            # stack the bias under the weights: row n_in is the bias of each neuron
            theta = np.vstack([W, b[None]]) if biases == "filter" else W
            d = rng.standard_normal(theta.shape)
            if normalize == "filter":
                d *= np.linalg.norm(theta, axis=0) / (np.linalg.norm(d, axis=0) + 1e-10)
            elif normalize == "layer":
                d *= np.linalg.norm(theta) / (np.linalg.norm(d) + 1e-10)
            dW.append(d[: W.shape[0]])
            db.append(d[W.shape[0]] if biases == "filter" else np.zeros_like(b))
        directions.append((dW, db))
    return tuple(directions)


def trajectory_of(frames) -> list:
    """The ``(weights, biases)`` of each training frame, the format the functions here take."""
    return [(frame.weights, frame.biases) for frame in frames]


def _flat(point) -> np.ndarray:
    weights, biases = point
    return np.concatenate([p.ravel() for wb in zip(weights, biases, strict=True) for p in wb])


def _unflat(vector: np.ndarray, like) -> tuple:
    out, offset = ([], []), 0
    for W, b in zip(*like, strict=True):
        for part, shape in ((0, np.shape(W)), (1, np.shape(b))):
            size = int(np.prod(shape))
            out[part].append(vector[offset : offset + size].reshape(shape).copy())
            offset += size
    return out


def pca_directions(trajectory):
    """The two principal directions of a weight trajectory (Li et al., section 7).

    Rows theta_t - theta_T (T the last point) are decomposed by SVD; the first two right
    singular vectors (unit length, orthogonal) are the directions of largest variation.
    """
    points = np.array([_flat(p) for p in trajectory])
    if len(points) < 3:
        raise ValueError(f"trajectory needs at least 3 points, got {len(points)}")
    _, _, vt = np.linalg.svd(points[:-1] - points[-1], full_matrices=False)
    if len(vt) < 2:
        raise ValueError("trajectory needs at least 2 parameters")
    return _unflat(vt[0], trajectory[0]), _unflat(vt[1], trajectory[0])


def project(trajectory, directions, origin=None, distances: bool = False):
    """(T, 2) coordinates (alpha, beta) of each point in the plane origin + span(d1, d2).

    Least squares, so non-orthogonal (random) directions work too; ``origin`` defaults to
    the trajectory's last point. ``distances=True`` also returns each point's Euclidean
    distance from the plane, ``||theta_t - (origin + alpha_t d1 + beta_t d2)||`` (T,): how
    far the drawn point is from the weights it stands for.
    """
    basis = np.column_stack([_flat(d) for d in directions])
    points = np.array([_flat(p) for p in trajectory])
    centre = points[-1] if origin is None else _flat(origin)
    offsets = (points - centre).T
    # the normal equations (B^T B) c = B^T x: a 2 x 2 system, far cheaper than an SVD of B
    coords, *_ = np.linalg.lstsq(basis.T @ basis, basis.T @ offsets, rcond=None)
    if not distances:
        return coords.T
    return coords.T, np.linalg.norm(offsets - basis @ coords, axis=0)


def loss_grid(
    net: MLP, X, y, loss, directions, alphas, betas, dtype=np.float32, progress=None
) -> np.ndarray:
    """Z[i, j] = L(theta + alphas[i] d1 + betas[j] d2) in evaluation mode (data loss only).

    The grid's points go through `loss_at_points` (see there: chunks, ``dtype``,
    ``progress``). The result is float64, inf where the loss overflows (clamp before
    drawing). The network is not changed.
    """
    alphas, betas = (_axis(name, v) for name, v in (("alphas", alphas), ("betas", betas)))
    a_grid, b_grid = np.meshgrid(alphas, betas, indexing="ij")
    coords = np.column_stack([a_grid.ravel(), b_grid.ravel()])
    values = loss_at_points(net, X, y, loss, directions, coords, dtype, progress)
    return values.reshape(len(alphas), len(betas))


def loss_at_points(
    net: MLP, X, y, loss, directions, coords, dtype=np.float32, progress=None, workers=None
) -> np.ndarray:
    """L(theta + alpha_k d1 + beta_k d2) for each row (alpha_k, beta_k) of ``coords`` (K, 2).

    Points are evaluated in chunks: for a chunk of G points the parameters of every layer
    are one (G, 3) x (3, size) product of [1, alpha, beta] with [theta; d1; d2], and each
    layer is one batched matmul over the G stacked weight matrices. The first layer uses
    linearity: X (W + a dW1 + b dW2) = XW + a X dW1 + b X dW2. Arithmetic is in ``dtype``
    (float32 by default: twice as fast, relative error ~1e-6, invisible in a plot).
    ``progress(done, total)`` is called after each chunk, in the calling thread; when it
    returns False the computation stops with `LandscapeCancelled` (no partial result).
    Chunks are independent, so ``workers`` threads (default `slice_workers`) evaluate them
    side by side; the result does not depend on how many.
    """
    check_loss(loss, net.output)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != net.sizes[0] or len(X) == 0:
        raise ValueError(f"X must have shape (n, {net.sizes[0]}) with n >= 1, got {X.shape}")
    coords = np.asarray(coords, dtype=np.float64)
    if coords.ndim != 2 or coords.shape[1] != 2 or not np.all(np.isfinite(coords)):
        raise ValueError(f"coords must be finite (alpha, beta) rows, got shape {coords.shape}")
    y = prepare_targets(y, loss, len(X), net.sizes[-1])
    stacks = _layer_stacks(net, directions, dtype)
    W0, b0 = (s.reshape(3, *shape) for s, shape in zip(stacks[0], _shapes(net)[0], strict=True))
    first = np.matmul(X.astype(dtype), W0) + b0[:, None, :]  # [XW + b, X dW1 + db1, ...]
    first = first.reshape(3, -1)
    coef = np.column_stack([np.ones(len(coords)), coords]).astype(dtype)
    chunk = max(1, _CHUNK_ELEMENTS // (len(X) * max(net.sizes[1:])))
    starts = range(0, len(coef), chunk)
    size = chunk * len(X) * max(net.sizes[1:])
    local = threading.local()  # two reused activation buffers per thread
    target = y if loss == "cross_entropy" else y.astype(dtype)

    def losses_from(start: int) -> np.ndarray:
        if not hasattr(local, "buffers"):
            local.buffers = [np.empty(size, dtype) for _ in range(2)]
        part = coef[start : start + chunk]
        z = local.buffers[0][: part.shape[0] * first.shape[1]].reshape(len(part), -1)
        np.matmul(part, first, out=z)
        z = z.reshape(len(part), len(X), net.sizes[1])
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            return _chunk_losses(net, part, z, stacks, target, loss, local.buffers)

    workers = slice_workers(len(starts)) if workers is None else max(1, int(workers))
    pool = ThreadPoolExecutor(workers) if workers > 1 else None
    results = pool.map(losses_from, starts) if pool else map(losses_from, starts)
    Z = np.empty(len(coef))
    try:
        for start, losses in zip(starts, results, strict=True):  # in order, as they finish
            Z[start : start + chunk] = losses
            done = min(start + chunk, len(coef))
            if progress is not None and not progress(done, len(coef)):
                raise LandscapeCancelled(f"stopped after {done} of {len(coef)} points")
    finally:
        if pool is not None:  # a cancel drops the chunks not started; running ones end
            pool.shutdown(wait=True, cancel_futures=True)
    return Z


def _axis(name: str, values) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be a non-empty list of finite numbers")
    return values


def _shapes(net: MLP):
    return [((n_in, n_out), (n_out,)) for n_in, n_out in itertools.pairwise(net.sizes)]


def _layer_stacks(net: MLP, directions, dtype):
    """Per layer: ([W; d1W; d2W] as (3, n_in n_out), [b; d1b; d2b] as (3, n_out))."""
    if len(directions) != 2:
        raise ValueError("directions must be a pair (d1, d2)")
    stacks = []
    for layer, shapes in enumerate(_shapes(net)):
        rows = ([], [])
        for part, params in enumerate((net.weights, net.biases)):
            rows[part].append(np.asarray(params[layer]).ravel())
            for d in directions:
                arr = np.asarray(d[part][layer], dtype=np.float64)
                if arr.shape != shapes[part]:
                    raise ValueError(
                        f"direction layer {layer} must have shape {shapes[part]}, got {arr.shape}"
                    )
                rows[part].append(arr.ravel())
        stacks.append(tuple(np.array(r, dtype=dtype) for r in rows))
    return stacks


def _chunk_losses(net: MLP, coef, z, stacks, y, loss, buffers) -> np.ndarray:
    """Losses of one chunk of grid points; activations live in two reused buffers."""
    g, n = z.shape[:2]
    for layer in range(1, net.n_layers):
        if net.batch_norm:  # evaluation mode: a fixed per-unit affine map
            scale = net.bn_gamma[layer - 1] / np.sqrt(net.bn_running_var[layer - 1] + BN_EPS)
            z -= net.bn_running_mean[layer - 1].astype(z.dtype)
            z *= scale.astype(z.dtype)
            z += net.bn_beta[layer - 1].astype(z.dtype)
        a = net._hidden[layer - 1][0](z, z)  # f(z) written over z where f supports it
        W_stack, b_stack = stacks[layer]
        W = np.matmul(coef, W_stack).reshape(g, *net.weights[layer].shape)
        spare = buffers[1] if a.base is buffers[0] else buffers[0]
        z = np.matmul(a, W, out=spare[: g * n * W.shape[2]].reshape(g, n, W.shape[2]))
        z += np.matmul(coef, b_stack)[:, None, :]
    if loss == "cross_entropy":
        shift = z.max(axis=2, keepdims=True)
        log_sum_exp = shift[..., 0] + np.log(np.exp(z - shift).sum(axis=2))
        return (log_sum_exp - z[:, np.arange(n), y]).mean(axis=1, dtype=np.float64)
    if loss == "bce":
        terms = np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0) - z * y
        return terms.reshape(g, -1).mean(axis=1, dtype=np.float64)
    diff = net._output[0](z) - y
    diff *= diff
    return diff.reshape(g, -1).mean(axis=1, dtype=np.float64)
