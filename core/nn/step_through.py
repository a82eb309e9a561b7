"""Backprop by hand for one sample: the phases of a training step with every number written out.

A step of training, seen from one sample, goes through these phases (``L`` weight layers,
node layer 0 the inputs, node layer l+1 the output of weight layer l):

* ``forward`` l = 0 .. L-1:  z = W·a + b, then a = σ(z), for the units of layer l+1;
* ``loss``:                   the output error a - t, the loss, and δ of the output layer;
* ``backward`` l = L-1 .. 0:  δ of layer l+1 by the chain rule, δ_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ σ′(z_l)
  (the output layer's δ came from the loss), and dL/dW = a_inᵀ δ, dL/db = δ;
* ``update``:                 w ← w − α·dL/dw with the batch gradient, and what the optimizer
  actually applied.

Every number comes from the core's record of that sample (:class:`SampleTrace`: the frame's
own when it traced this sample, else one made the same way at the frame's weights), so the
panel, the diagram and the update can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.nn.activations import hidden_activation, output_activation
from core.nn.datasets import Dataset
from core.nn.losses import prepare_targets, targets_from_labels
from core.nn.train_config import SampleTrace, TrainConfig, TrainFrame
from core.nn.train_run import frozen
from core.nn.training import network_at

__all__ = ["Phase", "SampleWalk", "fmt", "phase_kinds", "sample_trace_at", "sample_walk"]

MAX_UNITS = 4  # units written out per layer; wider layers say how many more there are
MAX_TERMS = 4  # terms of a sum written out
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt(value: float) -> str:
    """A number as the panel writes it: 9 significant digits (the textbook's precision)."""
    return f"{float(value):.9g}"


def _factor(value: float) -> str:
    """A number inside a product: negative ones in parentheses, ``0.5×(-0.038)``."""
    text = fmt(value)
    return f"({text})" if text.startswith("-") else text


def _weight(layer: int, i: int, j: int) -> str:
    """``w₁₂⁽¹⁾``: the weight from unit i to unit j (1-based) of weight layer ``layer``."""
    return f"w{f'{i + 1}{j + 1}'.translate(_SUB)}⁽{str(layer + 1).translate(_SUP)}⁾"


def _name(symbol: str, layer: int, unit: int | None = None) -> str:
    """``z₁⁽¹⁾``: unit (1-based) as a subscript, node layer as a superscript."""
    sub = "" if unit is None else str(unit + 1).translate(_SUB)
    return f"{symbol}{sub}⁽{str(layer).translate(_SUP)}⁾"


@dataclass(frozen=True, slots=True)
class Phase:
    """One phase: ``kind`` (forward, loss, backward, update), its weight ``layer`` (-1 for
    loss and update), a title and the lines of numbers."""

    kind: str
    layer: int
    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True, repr=False)
class SampleWalk:
    """The phases of one step for one sample, with the record they were written from."""

    trace: SampleTrace
    step: int
    phases: tuple[Phase, ...]

    def __repr__(self) -> str:
        return f"SampleWalk(sample={self.trace.index}, step={self.step}, phases={len(self.phases)})"


def phase_kinds(n_layers: int) -> tuple[tuple[str, int], ...]:
    """(kind, weight layer) of every phase of a step through ``n_layers`` weight layers."""
    forward = [("forward", layer) for layer in range(n_layers)]
    backward = [("backward", layer) for layer in range(n_layers - 1, -1, -1)]
    return (*forward, ("loss", -1), *backward, ("update", -1))


def sample_trace_at(
    config: TrainConfig, frame: TrainFrame, dataset: Dataset, index: int
) -> SampleTrace:
    """The forward and backward record of training sample ``index`` at the frame's weights.

    The frame's own trace when it recorded that sample; otherwise one computed the same way
    (evaluation mode, the sample's own loss) by a network holding the frame's weights.
    """
    if frame.sample is not None and frame.sample.index == index:
        return frame.sample
    if not 0 <= index < len(dataset.X_train):
        raise ValueError(f"sample must be in [0, {len(dataset.X_train) - 1}], got {index}")
    net = network_at(config, frame)
    n_out = net.sizes[-1]
    x = dataset.X_train[index : index + 1]
    y = targets_from_labels(dataset.y_train[index : index + 1], config.loss, n_out)
    y = prepare_targets(y, config.loss, 1, n_out)
    record = net.forward(x)
    back = net.backward(record, y, config.loss)
    parts = [tuple(map(frozen, p)) for p in (record.z, record.a, back.delta, back.dW, back.db)]
    return SampleTrace(index, frozen(x[0]), frozen(np.asarray(y)[0]), back.loss, *parts)


def sample_walk(
    config: TrainConfig, frame: TrainFrame, trace: SampleTrace, batch_size: int
) -> SampleWalk:
    """Every phase of the frame's step for the traced sample, numbers substituted.

    ``batch_size``: samples in the frame's batch (N), for the sample-vs-batch labels.
    """
    n_layers = len(frame.weights)
    phases = []
    for kind, layer in phase_kinds(n_layers):
        if kind == "forward":
            phases.append(_forward(config, frame, trace, layer))
        elif kind == "loss":
            phases.append(_loss(config, trace, batch_size))
        elif kind == "backward":
            phases.append(_backward(config, frame, trace, layer, batch_size))
        else:
            phases.append(_update(config, frame, batch_size))
    return SampleWalk(trace, frame.step, tuple(phases))


def _inputs(trace: SampleTrace, layer: int) -> np.ndarray:
    return np.asarray(trace.x) if layer == 0 else np.asarray(trace.a[layer - 1][0])


def _sum_terms(weights: np.ndarray, inputs: np.ndarray) -> str:
    terms = [f"{fmt(w)}×{_factor(a)}" for w, a in zip(weights[:MAX_TERMS], inputs[:MAX_TERMS])]
    more = len(weights) - MAX_TERMS
    return " + ".join(terms) + (f" + … ({more} more terms)" if more > 0 else "")


def _units(n: int) -> tuple[range, str]:
    shown = range(min(n, MAX_UNITS))
    return shown, (f"… and {n - MAX_UNITS} more units" if n > MAX_UNITS else "")


def _activation_name(config: TrainConfig, layer: int, n_layers: int) -> str:
    if layer == n_layers - 1:
        return config.output
    names = config.activation
    return names if isinstance(names, str) else names[layer]


def _forward(config: TrainConfig, frame: TrainFrame, trace: SampleTrace, layer: int) -> Phase:
    W, b = np.asarray(frame.weights[layer]), np.asarray(frame.biases[layer])
    a_in, z, a = _inputs(trace, layer), trace.z[layer][0], trace.a[layer][0]
    f = _activation_name(config, layer, len(frame.weights))
    shown, more = _units(len(z))
    lines = []
    for j in shown:
        zj = _name("z", layer + 1, j)
        lines.append(f"{zj} = W·a + b = {_sum_terms(W[:, j], a_in)} + {fmt(b[j])} = {fmt(z[j])}")
        lines.append(f"{_name('a', layer + 1, j)} = {f}({fmt(z[j])}) = {fmt(a[j])}")
    lines += [more] if more else []
    if config.batch_norm and layer < len(frame.weights) - 1:
        lines.append("(batch norm: σ is applied to z normalized with the running statistics)")
    title = f"Forward, layer {layer + 1}: z = W·a + b, a = {f}(z)"
    return Phase("forward", layer, title, tuple(lines))


def _loss(config: TrainConfig, trace: SampleTrace, batch_size: int) -> Phase:
    out, t = np.asarray(trace.a[-1][0]), np.asarray(trace.target).reshape(-1)
    delta = np.asarray(trace.delta[-1][0])
    last = len(trace.z)
    k = out.size
    lines = []
    if config.loss == "mse":
        diffs = " + ".join(f"({fmt(o)} − {fmt(v)})²" for o, v in zip(out, t))
        lines.append(
            f"L = mean over {k} output(s) of (a − t)² = ({diffs}) / {k} = {fmt(trace.loss)}"
        )
        if k == 2:
            lines.append(
                "(for one sample and 2 outputs this equals Σ ½(t − o)², the textbook E_total)"
            )
        scale = f"(2/{k})·(a − t)·{config.output}′(z)"
    elif config.loss == "bce":
        lines.append(
            f"L = −[t·log a + (1 − t)·log(1 − a)] averaged over {k} output(s) = {fmt(trace.loss)}"
        )
        scale = f"(a − t)/{k}"
    else:
        lines.append(f"L = −log softmax(z)[class] = {fmt(trace.loss)}")
        scale = "softmax(z) − onehot(t)"
    for j in range(min(k, MAX_UNITS)):
        error = out[j] - (t[j] if config.loss != "cross_entropy" else float(j == int(t[0])))
        lines.append(f"output error {_name('a', last, j)} − t = {fmt(error)}")
        lines.append(f"{_name('δ', last, j)} = ∂L/∂z = {scale} = {fmt(delta[j])}")
    lines.append(_scaling_note(config, batch_size))
    return Phase("loss", -1, f"Loss ({config.loss}) and the output layer's δ", tuple(lines))


def _scaling_note(config: TrainConfig, batch_size: int) -> str:
    how = {
        "mse": "torch's MSE is a mean over samples and outputs",
        "bce": "torch's BCE is a mean over samples and outputs",
        "cross_entropy": "torch's cross-entropy is a mean over samples",
    }[config.loss]
    if batch_size == 1:
        return f"Sample's δ = batch's δ: the batch is this one sample ({how})."
    return (
        f"These are the sample's δ (its own loss). {how}, so in the batch of {batch_size} "
        f"this sample's δ is the sample's δ / {batch_size}."
    )


def _backward(
    config: TrainConfig, frame: TrainFrame, trace: SampleTrace, layer: int, batch_size: int
) -> Phase:
    n_layers = len(frame.weights)
    delta = np.asarray(trace.delta[layer][0])
    lines = []
    if layer < n_layers - 1:
        lines += _hidden_deltas(config, frame, trace, layer)
    a_in, dW = _inputs(trace, layer), np.asarray(trace.dW[layer])
    src = layer  # node layer the weights start from
    for j in _units(len(delta))[0]:
        for i in range(min(len(a_in), 2)):
            lines.append(
                f"∂L/∂{_weight(layer, i, j)} = {_name('a', src, i)}·{_name('δ', layer + 1, j)}"
                f" = {fmt(a_in[i])}×{_factor(delta[j])} = {fmt(dW[i, j])}"
            )
        lines.append(
            f"∂L/∂{_name('b', layer + 1, j)} = {_name('δ', layer + 1, j)} = {fmt(delta[j])}"
        )
    if batch_size > 1:
        lines.append(f"(the sample's gradient; the batch's sums {batch_size} samples' a·δ/N)")
    title = f"Backward, layer {layer + 1}: δ and ∂L/∂W = a_inᵀ·δ"
    return Phase("backward", layer, title, tuple(lines))


def _hidden_deltas(config: TrainConfig, frame: TrainFrame, trace: SampleTrace, layer: int):
    W_next = np.asarray(frame.weights[layer + 1])
    delta_next = np.asarray(trace.delta[layer + 1][0])
    z, a = trace.z[layer], trace.a[layer]
    derivative = _derivative(config, layer, len(frame.weights), z, a)[0]
    delta = np.asarray(trace.delta[layer][0])
    f = _activation_name(config, layer, len(frame.weights))
    d, w, z_ = _name("δ", layer + 1), _name("W", layer + 2), _name("z", layer + 1)
    lines = [f"{d} = ({_name('δ', layer + 2)} {w}ᵀ) ⊙ {f}′({z_})"]
    shown, more = _units(len(delta))
    for j in shown:
        back = _sum_terms(W_next[j, :], delta_next)
        lines.append(
            f"{_name('δ', layer + 1, j)} = ({back}) × {fmt(derivative[j])} = {fmt(delta[j])}"
        )
    lines += [more] if more else []
    if config.batch_norm:
        lines.append("(batch norm: δ also passes back through the normalization)")
    return lines


def _derivative(config: TrainConfig, layer: int, n_layers: int, z, a) -> np.ndarray:
    """σ′(z) of the layer: its activation's backward applied to dL/da = 1."""
    pair = output_activation(config.output) if layer == n_layers - 1 else None
    if pair is None:
        pair = hidden_activation(_activation_name(config, layer, n_layers))
    z, a = np.asarray(z, dtype=np.float64), np.asarray(a, dtype=np.float64)
    return pair[1](np.ones_like(z), z, a, np.empty_like(z))


def _update(config: TrainConfig, frame: TrainFrame, batch_size: int) -> Phase:
    lr = frame.lr
    lines = [
        f"w ← w − α·∂L/∂w with α = {fmt(lr)} and the batch's gradient (mean over {batch_size})"
    ]
    for layer, (W, g, moved) in enumerate(zip(frame.weights, frame.dW, frame.weight_update)):
        W, g, moved = np.asarray(W), np.asarray(g), np.asarray(moved)
        for i, j in _first_entries(W.shape):
            name = _weight(layer, i, j)
            plain = W[i, j] - lr * g[i, j]
            lines.append(f"{name} ← {fmt(W[i, j])} − {fmt(lr)}×{_factor(g[i, j])} = {fmt(plain)}")
            applied = W[i, j] + moved[i, j]
            if not np.isclose(applied, plain, rtol=1e-12, atol=1e-15):
                lines.append(
                    f"   what {config.optimizer} applied (clipping, momentum, penalties): "
                    f"Δw = {fmt(moved[i, j])}, so {name} = {fmt(applied)}"
                )
    if frame.stop_reason is not None:
        lines.append("This is the run's last frame: no update follows it.")
    if config.fixed_biases:
        lines.append("Biases are held fixed: they keep their values.")
    return Phase("update", -1, "Update: every weight moves against its gradient", tuple(lines))


def _first_entries(shape: tuple[int, int]) -> list[tuple[int, int]]:
    n_in, n_out = shape
    return [(i, j) for j in range(min(n_out, 2)) for i in range(min(n_in, 2))]
