"""One-sentence explanations shown as tooltips on every control (written for learners)."""

from __future__ import annotations

TIPS: dict[str, str] = {
    # surface
    "surface": "The loss landscape to descend: each point is a pair of parameters, and "
    "its height (colour) is the loss they give.",
    "formula": "Type your own loss as a formula in x and y (for example x**2 + 3*y**2); "
    "if it cannot be parsed, the last good surface stays on screen.",
    "condition": "How much steeper the bowl is in one direction than the other; a large "
    "ratio makes plain gradient descent zig-zag across the narrow valley.",
    "linreg_n": "How many data points the linear-regression loss averages over.",
    "linreg_noise": "How much random scatter the data points have around the true line.",
    "linreg_seed": "Which random data set is drawn; the same seed always gives the same data.",
    # optimizers
    "optimizer": "The rule that turns a gradient into a step; add several to race them "
    "from the same start.",
    "add_optimizer": "Add another optimizer to the race; each gets its own colour.",
    "remove_optimizer": "Take this optimizer out of the race.",
    "lr": "How far each step moves against the gradient: too small crawls, too large "
    "overshoots the valley and can blow up.",
    "momentum": "How much of the previous step is carried into the next one, like a ball "
    "rolling downhill: faster along valleys, but it can overshoot.",
    "dampening": "How much of the fresh gradient is held back from the momentum buffer.",
    "nesterov": "Look ahead: take the gradient where momentum is about to carry you, "
    "which brakes earlier before an overshoot.",
    "weight_decay": "Pulls the parameters towards zero a little on every step (L2 penalty).",
    "eps": "A tiny number added to a denominator so a step never divides by zero.",
    "alpha": "How slowly RMSprop forgets old squared gradients (closer to 1 = longer memory).",
    "beta1": "How slowly the running average of gradients forgets old ones (the momentum "
    "part of Adam).",
    "beta2": "How slowly the running average of squared gradients forgets old ones (the "
    "per-direction step scaling of Adam).",
    "amsgrad": "Never let the squared-gradient average shrink, which keeps steps from "
    "suddenly growing late in training.",
    "centered": "Divide by the variance of the gradient rather than its raw square.",
    "lr_decay": "Shrinks the learning rate a little after every step.",
    "initial_accumulator_value": "A starting value for the sum of squared gradients, so "
    "the first steps are not huge.",
    "rho": "How slowly Adadelta forgets old squared gradients and steps.",
    "momentum_decay": "How quickly NAdam phases its momentum in over the first steps.",
    # learning rates
    "lr_mode": "One learning rate, or a sweep: many runs side by side, one per learning "
    "rate, coloured from small to large.",
    "lr_min": "The smallest learning rate in the sweep.",
    "lr_max": "The largest learning rate in the sweep.",
    "lr_count": "How many learning rates (runs) the sweep tries.",
    "lr_log": "Space the learning rates evenly on a log scale (1e-4, 1e-3, 1e-2, ...) "
    "instead of evenly on a linear one.",
    "critical_lr": "Plain gradient descent is stable only while lr < 2 / lambda_max, where "
    "lambda_max is the sharpest curvature at the current point.",
    # schedule and clipping
    "schedule": "How the learning rate changes during the run: constant, dropping in "
    "steps, shrinking every step, or following a cosine curve.",
    "step_size": "Every this many steps the learning rate is multiplied by gamma.",
    "gamma": "The factor the learning rate is multiplied by at each decay.",
    "t_max": "The number of steps over which the cosine curve goes from the full "
    "learning rate down to the minimum.",
    "warmup": "The number of first steps during which the learning rate ramps up from "
    "almost zero, so early steps do not shoot off.",
    "eta_min": "The smallest learning rate the cosine schedule reaches.",
    "clip": "Limit each gradient before it is used: clip each component, or shrink the "
    "whole vector when it is longer than the threshold.",
    "clip_threshold": "The largest gradient component (value mode) or length (norm mode) "
    "allowed through.",
    # run
    "steps": "How many updates each run takes.",
    "start": "Where every run begins; you can also click in the landscape to set it.",
    "start_grid": "Start one run from every point of an n x n grid to see which valley "
    "each starting point falls into (0 = a single start).",
    "batch": "How much data each gradient sees: all of it (full batch), a small random "
    "batch, or a single example; smaller batches give noisier, cheaper steps.",
    "batch_size": "The number of data points in each mini-batch.",
    "optimizer_batch": "How much data this optimizer's gradient sees, so full-batch, "
    "mini-batch and stochastic descent can race side by side on the same landscape.",
    "noise": "Adds random noise of this size to every gradient, imitating the jitter of "
    "stochastic training.",
    "seeds": "How many random seeds to run for each setting; with noise or mini-batches "
    "they spread into a cloud of paths.",
    "seed": "The base random seed, so a noisy run can be repeated exactly.",
    "speed": "How many steps per second to animate; tick 'flat out' to run as fast as "
    "the computer can.",
    "flat_out": "Run as many steps per second as the computer can manage.",
    # timeline and view
    "play": "Start or pause the descent (Space).",
    "step": "Take exactly one step (Right arrow).",
    "reset": "Go back to the start point, paused at step 0 (R).",
    "timeline": "Drag to any step and every view shows the runs as they were then; "
    "drag to the far right to follow the live run again.",
    "arrow_gradient": "Show the gradient at each current point: the uphill direction the "
    "step moves against.",
    "arrow_velocity": "Show the momentum (velocity): the direction the run is coasting in.",
    "arrow_update": "Show the step actually taken, which with momentum can differ from "
    "the gradient direction.",
}


def tip(key: str) -> str:
    """The tooltip for ``key`` (KeyError for a missing one, so a typo fails a test)."""
    return TIPS[key]
