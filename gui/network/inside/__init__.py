"""Inside the network: views that look into the run on screen.

Each view is a tab beside the diagram (next to the data view and the step-through). It
reads the controller's `shown_run()` when the controller's listeners are told the shown
state changed, computes what is costly with the space's `BackgroundJobs` (so closing the
window waits for it), and may show other weights through `preview_weights`.
"""

from __future__ import annotations

from typing import Any

from gui.network.inside.gradcheck_panel import install_gradient_check
from gui.network.inside.histograms import HistogramsPart
from gui.network.inside.landscape import install_landscape
from gui.network.inside.neurons import NeuronsPart


def install(space: Any) -> list[Any]:
    """Add the inside views' tabs to ``space`` (a `gui.network.workspace.NetworkSpace`)
    and wire them to its controller; returns the parts, which the space keeps."""
    parts: list[Any] = []
    neurons = NeuronsPart(space)  # the "neurons" tab: what each hidden neuron learned
    space.widget.side.addTab(neurons.view, "Neurons")
    space.controller.listeners.append(neurons.on_shown_changed)
    parts.append(neurons)
    weights = HistogramsPart(space)  # "weights": weight and bias histograms over training
    space.widget.side.addTab(weights.view, "Weights")
    space.controller.listeners.append(weights.on_shown_changed)
    parts.append(weights)
    parts.append(install_landscape(space))  # "landscape": a slice of the loss around the weights
    parts.append(install_gradient_check(space))  # "gradient-check": backprop vs differences
    return parts
