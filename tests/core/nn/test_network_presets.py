"""The network presets: each one shows its idea, checked by training it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.nn.presets import load_network_preset, network_preset_names
from core.nn.run_stats import loss_rise_share, update_count
from core.nn.training import train

PRESETS = [
    "backprop-by-hand",
    "xor-needs-a-hidden-layer",
    "vanishing-gradients-deep-sigmoid",
    "exploding-gradients-large-init",
    "zeros-init-symmetry",
    "batch-vs-minibatch-vs-sgd",
]


def _runs(name: str) -> dict:
    """label -> list of frames, for the base run and every variant of preset ``name``."""
    return {label: list(train(config)) for label, config in load_network_preset(name).runs()}


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def test_every_network_preset_is_listed_and_loads():
    assert set(PRESETS) <= set(network_preset_names())
    for name in PRESETS:
        preset = load_network_preset(name)
        assert preset.name == name and preset.config.data is not None


def test_backprop_by_hand_matches_the_textbook_numbers():
    i1, i2, t1, t2 = 0.05, 0.10, 0.01, 0.99
    w1, w2, w3, w4, w5, w6, w7, w8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55
    b1, b2, lr = 0.35, 0.60, 0.5
    # forward, by hand
    net_h1 = w1 * i1 + w2 * i2 + b1
    out_h1, out_h2 = _sigmoid(net_h1), _sigmoid(w3 * i1 + w4 * i2 + b1)
    out_o1 = _sigmoid(w5 * out_h1 + w6 * out_h2 + b2)
    out_o2 = _sigmoid(w7 * out_h1 + w8 * out_h2 + b2)
    E = 0.5 * (t1 - out_o1) ** 2 + 0.5 * (t2 - out_o2) ** 2
    assert net_h1 == pytest.approx(0.3775, abs=1e-15)
    assert out_h1 == pytest.approx(0.593269992, abs=1e-9)
    assert out_o1 == pytest.approx(0.75136507, abs=1e-8)
    assert E == pytest.approx(0.298371109, abs=1e-9)
    # backward, by hand: delta_o = dE/dnet_o, w+ = w - lr dE/dw
    delta_o1 = (out_o1 - t1) * out_o1 * (1 - out_o1)
    delta_o2 = (out_o2 - t2) * out_o2 * (1 - out_o2)
    w5_new = w5 - lr * delta_o1 * out_h1
    delta_h1 = (delta_o1 * w5 + delta_o2 * w7) * out_h1 * (1 - out_h1)
    w1_new = w1 - lr * delta_h1 * i1
    assert w5_new == pytest.approx(0.35891648, abs=1e-8)
    assert w1_new == pytest.approx(0.149780716, abs=1e-9)

    frames = _runs("backprop-by-hand")["base"]
    first, last = frames
    assert first.batch_loss == pytest.approx(E, rel=1e-14)
    assert first.sample.z[0][0, 0] == pytest.approx(net_h1, rel=1e-14)
    np.testing.assert_allclose(first.sample.a[1][0], [out_o1, out_o2], rtol=1e-14)
    assert last.step == 1 and last.stop_reason == "epoch_limit"
    assert last.weights[1][0, 0] == pytest.approx(w5_new, rel=1e-14)  # w5: h1 -> o1
    assert last.weights[0][0, 0] == pytest.approx(w1_new, rel=1e-14)  # w1: i1 -> h1
    np.testing.assert_array_equal(last.biases[0], [b1, b1])  # held fixed
    np.testing.assert_array_equal(last.biases[1], [b2, b2])
    assert np.all(first.db[1] != 0)  # their gradient is still shown


def test_backprop_by_hand_equals_torch():
    torch = pytest.importorskip("torch")
    frames = _runs("backprop-by-hand")["base"]
    W = [torch.tensor(w, requires_grad=True) for w in frames[0].weights]
    b = [torch.tensor(v) for v in frames[0].biases]
    h = torch.sigmoid(torch.tensor([[0.05, 0.10]], dtype=torch.float64) @ W[0] + b[0])
    out = torch.sigmoid(h @ W[1] + b[1])
    loss = torch.nn.functional.mse_loss(out, torch.tensor([[0.01, 0.99]], dtype=torch.float64))
    loss.backward()
    assert frames[0].batch_loss == pytest.approx(loss.item(), rel=1e-14)
    for ours, w in zip(frames[1].weights, W, strict=True):
        np.testing.assert_allclose(ours, (w - 0.5 * w.grad).detach().numpy(), rtol=1e-14)


def test_xor_needs_a_hidden_layer():
    runs = _runs("xor-needs-a-hidden-layer")
    flat, hidden = runs["base"][-1], runs["one hidden layer of 4"][-1]
    assert abs(flat.train_loss - math.log(2)) < 0.03 and flat.train_accuracy <= 0.75
    assert hidden.train_loss < 0.05 and hidden.train_accuracy == 1.0


def test_vanishing_gradients_in_a_deep_sigmoid_network():
    runs = _runs("vanishing-gradients-deep-sigmoid")
    norms = runs["base"][0].grad_norms
    assert norms[0] / norms[-1] < 1e-3  # about 1e-4: the first layer hardly hears the loss
    assert np.all(np.diff(norms) > 0)  # smaller at every layer further back
    assert runs["base"][-1].train_accuracy < 0.7
    for label in ("tanh", "relu + He", "sigmoid + batch norm"):
        assert runs[label][-1].train_accuracy >= 0.95, label
        assert runs[label][-1].train_loss < 0.1 * runs["base"][-1].train_loss, label


def test_exploding_gradients_from_large_initial_weights():
    runs = _runs("exploding-gradients-large-init")
    base = runs["base"]
    assert np.all(base[0].grad_norms > 1e5)  # every layer's gradient is huge at step 0
    assert base[-1].stop_reason == "diverged" and base[-1].step <= 5
    assert base[-1].stop_detail.startswith("the initial weights are too large")
    clipped, he = runs["clip norm 1"][-1], runs["He init"][-1]
    assert clipped.stop_reason == "epoch_limit" and clipped.train_loss < 1e-3 * base[0].train_loss
    assert he.stop_reason == "epoch_limit" and he.train_loss < 0.2


def test_zero_initialization_keeps_hidden_units_identical():
    runs = _runs("zeros-init-symmetry")
    for frame in runs["base"]:
        W0, W1, b0 = frame.weights[0], frame.weights[1], frame.biases[0]
        assert np.all(W0 == W0[:, :1]) and np.all(W1 == W1[0]) and np.all(b0 == b0[0])
    assert np.any(runs["base"][-1].weights[0])  # they move, but together
    assert runs["base"][-1].train_accuracy < 0.75
    assert runs["xavier"][-1].train_accuracy == 1.0


def test_batch_minibatch_and_stochastic_updates():
    runs = _runs("batch-vs-minibatch-vs-sgd")
    full, mini, single = runs["base"], runs["mini-batch 16"], runs["stochastic"]
    assert [update_count(r) for r in (full, mini, single)] == [30, 180, 2700]
    assert full[-1].train_loss > mini[-1].train_loss > single[-1].train_loss
    assert loss_rise_share(full) == 0.0  # a small full-batch step always goes downhill
    assert 0.2 < loss_rise_share(single) < 0.9  # single-sample steps often go uphill


def test_loss_rise_share_counts_rising_steps():
    class Frame:
        def __init__(self, loss):
            self.train_loss = loss

    frames = [Frame(v) for v in (1.0, 0.8, 0.9, 0.9, 0.5, 0.7)]
    assert loss_rise_share(frames) == pytest.approx(2 / 5)
    assert loss_rise_share(frames[:1]) == 0.0


def test_opens_names_a_known_view_or_is_refused():
    import json

    from core.nn.presets import OPENS, network_preset_from_dict
    from core.presets import PRESET_DIR

    data = json.loads((PRESET_DIR / "zeros-init-symmetry.json").read_text())
    assert network_preset_from_dict(data).opens == ""
    assert network_preset_from_dict({**data, "opens": "landscape"}).opens == "landscape"
    assert "landscape" in OPENS
    assert network_preset_from_dict({**data, "opens": "weights"}).opens == "weights"
    with pytest.raises(ValueError, match="opens must be one of"):
        network_preset_from_dict({**data, "opens": "the moon"})
