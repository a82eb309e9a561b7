"""The text of the PyTorch script :func:`core.nn.torch_script.torch_script` writes, and
the writing of numbers into it as exact literals (:func:`literal`).

A :class:`string.Template` (``$name`` placeholders: Python code has no ``$`` of its own,
so the code needs no escaping). The placeholders are filled with literals, names and
short code lines; nothing in it is ever executed by Slope.
"""

from __future__ import annotations

from string import Template

import numpy as np

__all__ = ["SCRIPT", "literal"]

SCRIPT = Template('''\
"""$title, rebuilt in PyTorch: carry on in the real framework.

Written by Slope. Network $layers, hidden activation $activation, output $output,
loss $loss, optimizer $optimizer at learning rate $lr, $mode_text.

Run it with `python <this file>` (needs only torch and numpy). It prints one CSV line
per update: the step, its epoch, its learning rate, the loss of its batch (what the
update minimizes, penalties included) and the loss on the whole training set. The
numbers equal Slope's: the same data, the same starting weights, the same batches in
the same order, the same float64 arithmetic (up to rounding in the last digits).
"""

import math

import numpy as np
import torch
from torch import nn
from torch.optim import lr_scheduler

torch.set_default_dtype(torch.float64)  # Slope computes in float64 as well

# ---- The data set, exactly as Slope drew it ------------------------------------------
# $data_text
X_TRAIN = $x_train
Y_TRAIN = $y_train
X_TEST = $x_test
Y_TEST = $y_test

# ---- The starting weights ------------------------------------------------------------
# Slope's W[l] has shape (n_in, n_out) and computes z = a @ W + b; torch's nn.Linear
# stores the transpose, weight of shape (n_out, n_in), and computes z = a @ weight.T + b.
# They are written out because Slope's initializers draw other numbers than torch's.
WEIGHTS = $weights
BIASES = $biases

# ---- The training settings -----------------------------------------------------------
LR = $lr
EPOCHS = $epochs
BATCH_SIZE = $batch_size  # samples per update ($mode)
STEPS_PER_EPOCH = $steps_per_epoch
FOLD_LONE_SAMPLE = $fold_last  # batch norm: a lone last sample joins the batch before
DATA_SEED = $data_seed  # Slope's seed of the batch order
WEIGHT_SEED = $weight_seed  # Slope's seed of the dropout masks
L1, L2 = $l1, $l2  # penalties: loss + L1 * sum|W| + (L2 / 2) * sum W^2 over the weights
EVAL_EVERY = $eval_every  # evaluate the whole training set every this many updates
TARGET_LOSS = $target_loss  # stop once the training loss is at or below this (None: never)
FIXED_BIASES = $fixed_biases  # biases keep their starting values


class SlopeDropout(nn.Module):
    """nn.Dropout(p) with its masks drawn from Slope's NumPy generator.

    Inverted dropout: while training each unit is kept with probability 1 - p and scaled
    by 1 / (1 - p). Replace it by nn.Dropout(p) to carry on with torch's own random
    numbers; only the masks (and so the losses) change.
    """

    def __init__(self, p, rng):
        super().__init__()
        self.p, self.rng = p, rng

    def forward(self, a):
        if not self.training or self.p == 0.0:
            return a
        mask = (self.rng.random(tuple(a.shape)) >= self.p) / (1.0 - self.p)
        return a * torch.from_numpy(mask)


def make_network(dropout_rng):
    """The network, layer by layer, holding Slope's starting weights."""
    model = nn.Sequential(
$modules
    )
    with torch.no_grad():
        linears = [m for m in model if isinstance(m, nn.Linear)]
        for linear, W, b in zip(linears, WEIGHTS, BIASES):
            linear.weight.copy_(torch.tensor(W).T)
            linear.bias.copy_(torch.tensor(b))
    return model


def batch_order(n):
    """Yield the training-sample indices of every update, in Slope's order.

    The whole set in its order when a batch holds every sample; otherwise a new random
    permutation each epoch from NumPy's generator, seeded as Slope seeds it, cut into
    batches of BATCH_SIZE (the last may be smaller).
    """
    if BATCH_SIZE >= n:
        while True:
            yield torch.arange(n)
    rng = np.random.default_rng(np.random.SeedSequence(DATA_SEED).spawn(2)[0])
    while True:
        order, start = rng.permutation(n), 0
        while start < n:
            end = start + BATCH_SIZE
            end += int(FOLD_LONE_SAMPLE and n - end == 1)
            yield torch.from_numpy(order[start:end])
            start = end


def penalty(model):
    """L1 * sum|W| + (L2 / 2) * sum W^2 over the weight matrices (not the biases)."""
    weights = [m.weight for m in model if isinstance(m, nn.Linear)]
    total = sum(L1 * W.abs().sum() + 0.5 * L2 * (W * W).sum() for W in weights)
    return total if (L1 or L2) else 0.0


def evaluate(model, loss_fn, x, y):
    """The data loss on a whole set in evaluation mode (no dropout, running stats)."""
    model.eval()
    with torch.no_grad():
        value = loss_fn(model(x), y).item()
    model.train()
    return value


def main():
    x_train, y_train = torch.tensor(X_TRAIN), torch.tensor(Y_TRAIN$target_type)
    x_test, y_test = torch.tensor(X_TEST), torch.tensor(Y_TEST$target_type)
    dropout_rng = np.random.default_rng(np.random.SeedSequence(WEIGHT_SEED).spawn(2)[1])
    model = make_network(dropout_rng)
    $loss_comment
    loss_fn = $loss_fn
    fixed = [m.bias for m in model if isinstance(m, nn.Linear)] if FIXED_BIASES else []
    trained = [p for p in model.parameters() if all(p is not q for q in fixed)]
    $optimizer_comment
    optimizer = $optimizer_call
    $scheduler_lines
    batches = batch_order(len(x_train))
    print("step,epoch,lr,batch_loss,train_loss")
    for step in range(EPOCHS * STEPS_PER_EPOCH):
        if step % EVAL_EVERY == 0:
            train_loss = evaluate(model, loss_fn, x_train, y_train)
        index = next(batches)
        model.zero_grad()  # every gradient, also of parameters the optimizer leaves alone
        loss = loss_fn(model(x_train[index]), y_train[index]) + penalty(model)
        lr = optimizer.param_groups[0]["lr"]
        print(f"{step},{step // STEPS_PER_EPOCH},{lr!r},{loss.item()!r},{train_loss!r}")
        if not (math.isfinite(loss.item()) and math.isfinite(train_loss)):
            print("diverged: the loss is not finite (the learning rate may be too large)")
            return
        if TARGET_LOSS is not None and train_loss <= TARGET_LOSS:
            print("reached the target loss")
            return
        loss.backward()  # backpropagation: dL/dW, dL/db for every layer
        $clip_line
        optimizer.step()
        $scheduler_step
    print(f"final train loss {evaluate(model, loss_fn, x_train, y_train)!r}")
    if len(x_test):
        print(f"final test loss {evaluate(model, loss_fn, x_test, y_test)!r}")


if __name__ == "__main__":
    main()
''')


def literal(values, indent: int, width: int = 88) -> str:
    """A nested list literal of numbers in their shortest exact form, wrapped to ``width``.

    A list of arrays (one per layer) or one array; the innermost rows are packed into
    lines, each at most ``width`` characters where a number allows.
    """
    if isinstance(values, list):
        parts = [literal(v, indent + 4, width) for v in values]
        inner = " " * (indent + 4)
        return "[\n" + "".join(f"{inner}{p},\n" for p in parts) + " " * indent + "]"
    array = np.asarray(values)
    if array.ndim == 0:
        return _number(array)
    if array.ndim == 1:
        return _pack([_number(v) for v in array], indent, width)
    if array.size == 0:
        return "[]"
    return literal(list(array), indent, width)


def _number(value) -> str:
    value = value.item() if isinstance(value, np.generic | np.ndarray) else value
    return repr(int(value)) if isinstance(value, int | np.integer) else repr(float(value))


def _pack(items: list[str], indent: int, width: int) -> str:
    """``[a, b, c]`` on one line if it fits, else several lines of numbers."""
    flat = "[" + ", ".join(items) + "]"
    if indent + len(flat) + 1 <= width:
        return flat
    lines, line = [], ""
    for item in items:
        if line and indent + 4 + len(line) + len(item) + 2 > width:
            lines.append(line.rstrip())
            line = ""
        line += item + ", "
    lines.append(line.rstrip())
    inner = " " * (indent + 4)
    return "[\n" + "".join(f"{inner}{ln}\n" for ln in lines) + " " * indent + "]"
