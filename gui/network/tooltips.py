"""One-sentence explanations on the network workspace's controls (the shell's shared ones
for optimizers, schedules and clipping are used where they say the same thing)."""

from __future__ import annotations

from gui.shell.tooltips import TIPS as SHELL_TIPS

TIPS: dict[str, str] = {
    "dataset": "The points the network learns to separate (classification) or to fit "
    "(regression); choose a generated set or import your own CSV file.",
    "csv": "Load points from a CSV file with a header like x1,x2,label (any number of "
    "classes) or x1,x2,target (regression).",
    "n_samples": "How many points are generated, before some are kept aside for testing.",
    "data_noise": "How much random scatter the generated points have; more noise makes "
    "the classes overlap and the fit harder.",
    "test_fraction": "The share of points kept out of training to measure how well the "
    "network generalizes to data it has not seen.",
    "data_seed": "Which random data set and batch order are drawn; change it to see "
    "another sample of the same problem with the same starting weights.",
    "weight_seed": "Which random starting weights are drawn; change it to see another "
    "start on the same data.",
    "hidden_units": "How many neurons this hidden layer has; more neurons can bend the "
    "decision boundary more.",
    "add_layer": "Add a hidden layer: deeper networks can represent more complicated "
    "functions but are harder to train.",
    "remove_layer": "Remove the last hidden layer (no hidden layer at all is a linear model).",
    "activation_all": "The non-linearity every hidden neuron applies to its weighted sum; "
    "choosing it here sets every hidden layer at once.",
    "activation_layer": "The non-linearity of this hidden layer only.",
    "output": "The function of the output layer: linear for regression, sigmoid for a "
    "probability of one class, softmax for several classes.",
    "loss": "What the network minimizes: mean squared error, or the cross-entropy of the "
    "predicted probabilities (torch's conventions, means over the batch).",
    "init": "How the starting weights are drawn; their scale decides whether signals "
    "vanish, stay steady or explode through the layers.",
    "net_optimizer": "The rule that turns the batch gradient into a change of every weight.",
    "net_lr": "How far each update moves the weights against their gradient.",
    "epochs": "How many passes over the training data the run makes.",
    "net_batch": "How many samples each update averages its gradient over: all of them, "
    "a mini-batch of B, or one (stochastic); smaller batches mean more, noisier updates.",
    "net_batch_size": "The number of samples in each mini-batch.",
    "l1": "Adds l1·Σ|w| to the loss, which pushes small weights to exactly zero.",
    "l2": "Adds (l2/2)·Σw² to the loss, which keeps every weight small (weight decay).",
    "dropout": "While training, each hidden neuron is switched off with this probability, "
    "so the network cannot rely on any single one.",
    "batch_norm": "Normalize every hidden layer's weighted sums over the batch, which "
    "keeps signals at a steady scale through deep networks.",
    "net_speed": "Training steps per second; at 2 or fewer every step is animated in "
    "phases (forward, loss, backward, update).",
    "net_flat_out": "Train as fast as the computer can; the diagram then shows the live "
    "state without phases.",
    "variants": "Train the preset's variants side by side with the same data, to compare "
    "one change at a time.",
    "shown_run": "Which run the diagram, the data view and the gradient strip show.",
    "sample": "The training sample the diagram's activations and the step-through follow.",
    "next_phase": "Show the next phase of this sample's training step (after the update, "
    "the next step).",
    "previous_phase": "Show the previous phase of this sample's training step.",
}


def tip(key: str) -> str:
    """The tooltip for ``key`` (KeyError for a missing one, so a typo fails a test)."""
    return TIPS[key] if key in TIPS else SHELL_TIPS[key]
