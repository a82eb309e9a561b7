"""variant_frames and its recorder cross a process boundary: the window's run child
unpickles them, trains, and pickles frames back."""

from __future__ import annotations

import dataclasses
import functools
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
