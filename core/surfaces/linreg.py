"""The textbook case: mean squared error of a line fit, drawn over the (w, b) plane.

Its gradient can be taken over the full data set, a mini-batch, or a single sample, so batch,
mini-batch and stochastic gradient descent take visibly different paths on one landscape.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from core.surfaces.surface import Surface, SurfaceParam, check_run_points, check_stream_args


class LinearRegression(Surface):
    """Mean squared error of the line y = w x + b on a generated data set, over (w, b).

    ``L(w, b) = (1/n) sum_i (w x_i + b - y_i)^2`` (torch ``MSELoss``, mean reduction), drawn
    with ``w`` on the x axis and ``b`` on the y axis.  With ``r_i = w x_i + b - y_i``:
    ``dL/dw = (2/n) sum r_i x_i``, ``dL/db = (2/n) sum r_i``, and the constant Hessian
    ``(2/n) [[sum x_i^2, sum x_i], [sum x_i, n]]``.  Data: ``x_i ~ U(0.5, 3.5)`` (not centred,
    so w and b are coupled and the bowl is a tilted, elongated valley) and
    ``y_i = 2 x_i - 1 + noise * N(0, 1)``, all from ``default_rng(seed)``.  The known minimum
    is the least-squares fit.
    """

    name = "linreg"
    display_name = "Linear regression (MSE)"
    description = (
        "Fitting a line to noisy points: full-batch, mini-batch and stochastic gradients take "
        "visibly different roads down the same elongated bowl to the least-squares fit."
    )
    start = (-1.0, 3.0)
    parameters = (
        SurfaceParam("n", 50, 2, 10_000, integer=True, help="number of data points"),
        SurfaceParam("noise", 0.5, 0.0, 10.0, help="standard deviation of the noise on y"),
        SurfaceParam("seed", 0, 0, 2**32 - 1, integer=True, help="seed of the data set"),
    )
    true_w, true_b = 2.0, -1.0

    def _configure(self, n: int, noise: float, seed: int) -> None:
        rng = np.random.default_rng(seed)
        x = rng.uniform(0.5, 3.5, n)
        y = self.true_w * x + self.true_b + noise * rng.standard_normal(n)
        for array in (x, y):
            array.flags.writeable = False
        mean_x, mean_y = x.mean(), y.mean()
        var_x = np.mean((x - mean_x) ** 2)
        w_opt = np.mean((x - mean_x) * (y - mean_y)) / var_x
        b_opt = mean_y - w_opt * mean_x
        self._set("x", x)
        self._set("y", y)
        self._set("n_samples", n)
        self._set("optimum", (float(w_opt), float(b_opt)))
        # L = (w mean_x + b - mean_y)^2 + var_x (w - w_opt)^2 + L_min: every term >= 0, so
        # the value stays accurate and non-negative near the fit (no cancellation).
        loss_min = np.mean((w_opt * x + b_opt - y) ** 2)
        self._set("_moments", (mean_x, mean_y, var_x, w_opt, loss_min))
        corners = np.array([self.start, self.optimum])  # view box: start and fit, with margin
        lo = np.floor(corners.min(axis=0) - (1.5, 2.0))
        hi = np.ceil(corners.max(axis=0) + (1.5, 2.0))
        self._set("bounds", (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])))

    def _minima(self) -> tuple[tuple[float, float], ...]:
        return (self.optimum,)

    def _value(self, w: np.ndarray, b: np.ndarray) -> np.ndarray:
        mean_x, mean_y, var_x, w_opt, loss_min = self._moments
        return (w * mean_x + b - mean_y) ** 2 + var_x * (w - w_opt) ** 2 + loss_min

    def _gradient(self, w: np.ndarray, b: np.ndarray) -> tuple:
        mean_x, mean_y, var_x, w_opt, _ = self._moments
        centre = 2.0 * (w * mean_x + b - mean_y)  # dL/db = 2 mean(r)
        return centre * mean_x + 2.0 * var_x * (w - w_opt), centre

    def _hessian(self, w: np.ndarray, b: np.ndarray) -> tuple:
        mean_x, _, var_x, _, _ = self._moments
        return 2.0 * (mean_x**2 + var_x), 2.0 * mean_x, 2.0

    def gradient_stream(
        self, n_runs: int, seed: int | np.ndarray = 0, batch: int | None = None
    ) -> Callable[[np.ndarray], np.ndarray]:
        """Full-batch gradients (``batch`` None or >= n) or a :class:`MiniBatchGradient`."""
        n_runs = check_stream_args(n_runs, seed, batch)
        if batch is None or batch >= self.n_samples:
            return super().gradient_stream(n_runs, seed, None)
        return MiniBatchGradient(self.x, self.y, n_runs, seed, int(batch))


class MiniBatchGradient:
    """Mini-batch gradients of the MSE line fit for ``n_runs`` runs, with epoch semantics.

    Each run k draws from its own generator (``SeedSequence(seed).spawn(n_runs)[k]``, or
    ``SeedSequence(seed[k])`` for per-run seeds), so its batches do not depend on how many
    runs share the stream.  At the start of every epoch each run reshuffles the n samples and
    then takes them ``batch`` at a time; the last batch of an epoch holds the ``n % batch``
    left-overs when that is non-zero (torch ``DataLoader(shuffle=True, drop_last=False)``),
    so every sample is used exactly once per epoch.  A batch B gives
    ``g_w = (2/|B|) sum_B r_i x_i``, ``g_b = (2/|B|) sum_B r_i`` (mean over its own size).
    Each run's generator shuffles several epochs ahead in one call (fewer Python-level calls
    when there are many runs); every epoch is still an independent uniform shuffle.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, n_runs: int, seed, batch: int) -> None:
        self._x, self._y, self.n_runs, self.batch = x, y, n_runs, batch
        seeds = np.asarray(seed)
        if seeds.ndim == 0:
            sequences = np.random.SeedSequence(int(seeds)).spawn(n_runs)
        else:
            sequences = [np.random.SeedSequence(int(s)) for s in seeds]
        self._rngs = [np.random.default_rng(s) for s in sequences]
        self.batches_per_epoch = -(-len(x) // batch)
        self.epoch, self.batch_index, self.steps = 0, 0, 0
        ahead = max(1, 2048 // len(x))  # epochs shuffled per generator call
        self._identity = np.broadcast_to(np.arange(len(x), dtype=np.int32), (ahead, len(x)))
        self._shuffles = np.empty((n_runs, 0, len(x)), dtype=np.int32)  # (K, epochs, n)
        self._order = np.empty((n_runs, len(x)), dtype=np.int32)  # this epoch's order
        self.last_indices = np.empty((n_runs, 0), dtype=np.int32)

    def __repr__(self) -> str:
        return (
            f"MiniBatchGradient(n_runs={self.n_runs}, batch={self.batch}, "
            f"epoch={self.epoch}, batch_index={self.batch_index})"
        )

    def __call__(self, p: np.ndarray) -> np.ndarray:
        """Gradients (n_runs, 2) at ``p`` (n_runs, 2) on each run's next mini-batch."""
        p = check_run_points(p, self.n_runs)
        if self.batch_index == 0:  # a new epoch: every run reshuffles with its own generator
            if self._shuffles.shape[1] == 0:
                self._shuffles = np.stack([r.permuted(self._identity, axis=1) for r in self._rngs])
            self._order, self._shuffles = self._shuffles[:, 0], self._shuffles[:, 1:]
        first = self.batch_index * self.batch
        indices = self._order[:, first : first + self.batch]  # (K, B): one gather for all runs
        self.batch_index = (self.batch_index + 1) % self.batches_per_epoch
        if self.batch_index == 0:
            self.epoch += 1
        self.steps += 1
        self.last_indices = indices.copy()
        self.last_indices.flags.writeable = False
        xb, yb = self._x[indices], self._y[indices]
        grad = np.empty((self.n_runs, 2))
        with np.errstate(all="ignore"):
            residual = p[:, :1] * xb + p[:, 1:] - yb
            grad[:, 0] = 2.0 * np.mean(residual * xb, axis=1)
            grad[:, 1] = 2.0 * np.mean(residual, axis=1)
        return grad

    def batch_indices(self) -> np.ndarray:
        """The samples of each run's last mini-batch, ``(n_runs, batch)`` int32, read-only.

        ``-1`` pads a short batch (the ``n % batch`` left-overs that end an epoch) and every
        entry before the first step, so the width stays ``batch`` for the whole run.
        """
        used = self.last_indices
        if used.shape[1] == self.batch:
            return used  # a fresh read-only copy per step: never written again
        padded = np.full((self.n_runs, self.batch), -1, dtype=np.int32)
        padded[:, : used.shape[1]] = used
        padded.flags.writeable = False
        return padded
