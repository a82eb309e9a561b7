"""variant_frames and its recorder cross a process boundary: the window's run child
unpickles them, trains, and pickles frames back."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import pickle

import numpy as np

from core.nn.presets import load_network_preset
from core.nn.variant_run import VariantFrame, variant_frames, variant_history


def _pairs(name: str) -> list:
    preset = load_network_preset(name)
    runs = [preset.config, *(config for _, config in preset.variants)]
    return [(config, config.make_dataset()) for config in runs]


def test_a_variant_run_and_its_recorder_pickle_and_train_the_same():
    pairs = _pairs("vanishing-gradients-deep-sigmoid")
    factory = functools.partial(variant_frames, pairs)
    copied, recorder = pickle.loads(pickle.dumps((factory, variant_history)))
    here, there = factory(), copied()
    for _ in range(3):
        a, b = next(here), next(there)
        for mine, theirs in zip(a.frames, b.frames, strict=True):
            assert mine.train_loss == theirs.train_loss
            for w, v in zip(mine.weights, theirs.weights, strict=True):
                np.testing.assert_array_equal(w, v)
    history = recorder(b)
    history.append(b)
    assert [len(h) for h in history.histories] == [1] * len(pairs)


def _assert_same(mine, theirs) -> None:
    """Equal field by field, through tuples and nested frames (the sample's trace)."""
    if dataclasses.is_dataclass(mine):
        for field in dataclasses.fields(mine):
            _assert_same(getattr(mine, field.name), getattr(theirs, field.name))
    elif isinstance(mine, tuple):
        assert len(mine) == len(theirs)
        for x, y in zip(mine, theirs, strict=True):
            _assert_same(x, y)
    else:
        np.testing.assert_array_equal(mine, theirs)


def test_a_frame_sent_back_keeps_every_field():
    frames = variant_frames(_pairs("xor-needs-a-hidden-layer"))
    next(frames)
    frame = next(frames)  # a step after an update: gradients and updates are not zero
    back = pickle.loads(pickle.dumps(frame))
    assert isinstance(back, VariantFrame) and back.step == 1 and back.fresh == frame.fresh
    for mine, theirs in zip(frame.frames, back.frames, strict=True):
        _assert_same(mine, theirs)


def _columns(snapshot) -> dict:
    per_step = {name: getattr(snapshot, name) for name in ("steps", "train_loss", "grad_norms")}
    return {**per_step, "weight_steps": snapshot.weight_steps, "weights": snapshot.weights}


def test_a_copy_fed_row_frames_and_the_whole_newest_stores_the_same_rows():
    pairs = _pairs("exploding-gradients-large-init")  # a run that stops, beside live ones
    frames = list(itertools.islice(variant_frames(pairs), 300))
    original, copy = variant_history(frames[0]), variant_history(frames[0])
    sent = 0
    for frame in frames:
        original.append(frame)
        row = original.row_frame(frame)
        copy.append(row if frame is not frames[-1] else frame)
        sent += len(pickle.dumps(row))
    assert sent < 0.5 * sum(len(pickle.dumps(f)) for f in frames)  # rows carry far less
    for mine, theirs in zip(original.snapshot(), copy.snapshot(), strict=True):
        a, b = _columns(mine), _columns(theirs)
        for name in ("steps", "train_loss", "grad_norms", "weight_steps"):
            np.testing.assert_array_equal(a[name], b[name])
        for w, v in zip(a["weights"], b["weights"], strict=True):
            np.testing.assert_array_equal(w, v)


def test_a_row_frame_drops_what_no_history_stores_and_keeps_kept_weights():
    pairs = _pairs("xor-needs-a-hidden-layer")
    frames = variant_frames(pairs)
    first = next(frames)
    history = variant_history(first)
    history.append(first)
    row = history.row_frame(first).frames[0]
    assert row.dW == () and row.weight_update == () and row.sample is None
    assert len(row.weights) == len(first.frames[0].weights)  # step 0 is a weight row
    assert row.train_loss == first.frames[0].train_loss
