"""Backprop by hand: the phases' numbers are the textbook's, and the core record's."""

from __future__ import annotations

import re

import numpy as np
import pytest

from core.nn.presets import load_network_preset
from core.nn.step_through import fmt, phase_kinds, sample_trace_at, sample_walk
from core.nn.training import train


def _textbook():
    config = load_network_preset("backprop-by-hand").config
    dataset = config.make_dataset()
    frame = next(iter(train(config, dataset)))
    trace = sample_trace_at(config, frame, dataset, 0)
    return config, dataset, frame, sample_walk(config, frame, trace, 1)


def _text(walk) -> str:
    return "\n".join(line for phase in walk.phases for line in phase.lines)


def test_phases_run_forward_loss_backward_update():
    assert phase_kinds(3) == (
        ("forward", 0),
        ("forward", 1),
        ("forward", 2),
        ("loss", -1),
        ("backward", 2),
        ("backward", 1),
        ("backward", 0),
        ("update", -1),
    )


def test_backprop_by_hand_shows_the_textbook_numbers():
    # Worked by hand: net_h1 = 0.15*0.05 + 0.2*0.1 + 0.35 = 0.3775,
    # out_h1 = 1/(1+e^-0.3775) = 0.593269992, net_o1 = 0.4*out_h1 + 0.45*out_h2 + 0.6
    # = 1.10590597, out_o1 = 0.75136507, E = 1/2 (0.01-out_o1)^2 + 1/2 (0.99-out_o2)^2
    # = 0.298371109; dE/dw5 = (out_o1 - 0.01) out_o1 (1 - out_o1) out_h1 = 0.0821670406,
    # w5+ = 0.4 - 0.5 * 0.0821670406 = 0.35891648; w1+ = 0.15 - 0.5 * 0.000438567734
    # = 0.149780716.
    *_, walk = _textbook()
    forward1, forward2, loss, back2, back1, update = walk.phases
    assert "= 0.3775" in forward1.lines[0]
    assert forward1.lines[1].endswith("= 0.593269992")
    assert "= 1.10590597" in forward2.lines[0]
    assert forward2.lines[1].endswith("= 0.75136507")
    assert loss.lines[0].endswith("= 0.298371109")
    assert "= 0.0821670406" in back2.lines[0]
    assert "δ₁⁽¹⁾" in back1.lines[1] and back1.lines[1].endswith("= 0.00877135469")
    assert "w₁₁⁽²⁾ ← 0.4 − 0.5×0.0821670406 = 0.35891648" in update.lines
    assert "w₁₁⁽¹⁾ ← 0.15 − 0.5×0.000438567734 = 0.149780716" in update.lines


def test_every_phase_shows_the_numbers_of_the_core_record():
    preset = load_network_preset("xor-needs-a-hidden-layer")
    config = preset.variant(preset.labels[0]) if preset.labels else preset.config
    dataset = config.make_dataset()
    frames = train(config, dataset)
    frame = [next(frames) for _ in range(4)][-1]
    trace = sample_trace_at(config, frame, dataset, 3)
    walk = sample_walk(config, frame, trace, len(frame.batch_indices))
    net_record = trace  # the record the phases were written from
    for phase in walk.phases:
        text = "\n".join(phase.lines)
        if phase.kind == "forward":
            layer = phase.layer
            for j in range(min(4, net_record.z[layer].shape[1])):
                assert f"= {fmt(net_record.z[layer][0, j])}" in text
                assert f"= {fmt(net_record.a[layer][0, j])}" in text
        elif phase.kind == "loss":
            assert fmt(net_record.loss) in text
            assert f"= {fmt(net_record.delta[-1][0, 0])}" in text
        elif phase.kind == "backward":
            layer = phase.layer
            delta = net_record.delta[layer][0]
            for j in range(min(4, delta.size)):
                assert f"= {fmt(delta[j])}" in text
                assert f"= {fmt(net_record.dW[layer][0, j])}" in text
        else:
            W, g, lr = frame.weights[0], frame.dW[0], frame.lr
            assert f"= {fmt(W[0, 0] - lr * g[0, 0])}" in text


def test_trace_computed_at_the_frame_equals_the_frames_own():
    config, dataset, frame, _ = _textbook()
    own = frame.sample
    assert own is not None and own.index == 0
    other = sample_trace_at(config, frame, dataset, 0)
    assert other is own
    bare = type(frame)(**{**_fields(frame), "sample": None})
    rebuilt = sample_trace_at(config, bare, dataset, 0)
    parts = ("z", "a", "delta", "dW", "db")
    mine = [x for p in parts for x in getattr(own, p)]
    again = [x for p in parts for x in getattr(rebuilt, p)]
    for a, b in zip(mine, again, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert rebuilt.loss == pytest.approx(own.loss, rel=1e-12)


def _fields(frame) -> dict:
    return {name: getattr(frame, name) for name in frame.__dataclass_fields__}


def test_sample_outside_the_training_part_is_refused():
    config, dataset, frame, _ = _textbook()
    bare = type(frame)(**{**_fields(frame), "sample": None})
    with pytest.raises(ValueError, match="sample must be in"):
        sample_trace_at(config, bare, dataset, 5)


def test_batch_scaling_is_labelled():
    preset = load_network_preset("batch-vs-minibatch-vs-sgd")
    config = preset.config
    dataset = config.make_dataset()
    frame = next(iter(train(config, dataset)))
    trace = sample_trace_at(config, frame, dataset, 0)
    walk = sample_walk(config, frame, trace, len(frame.batch_indices))
    text = _text(walk)
    n = len(frame.batch_indices)
    assert f"in the batch of {n}" in text and f"δ / {n}" in text
    assert re.search(r"mean over samples", text)
