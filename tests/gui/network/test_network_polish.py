"""What the lead saw in a real window, fixed: δ labels only once δ has arrived, single
points on the curves, a diverging run not flattening the others, the regression map's
colour bar, the variants switch, landscape presets that play, tabs that fit, presentation
mode and shutdown reaching the inside parts."""

from __future__ import annotations

from gui.shell.main_window import MainWindow


def _open(w: MainWindow, qtbot, name: str):
    w.load_preset_name(name)
    space = w.network_space
    qtbot.waitUntil(lambda: space.controller.shown is not None, timeout=10_000)
    return space


def _label_kinds(diagram) -> list[str]:
    """Per diagram layer: 'δ' if its labels show δ, 'a' if numbers, '' if blank."""
    layout, kinds = diagram.layout_, []
    for layer in range(len(layout.sizes)):
        text = diagram.labels[layout.node_index(layer, 0)].toPlainText()
        kinds.append("δ" if text.startswith("δ") else ("a" if text else ""))
    return kinds


def test_step_through_labels_show_delta_only_on_layers_it_has_reached(window, qtbot):
    space = _open(window, qtbot, "backprop-by-hand")
    panel, diagram = space.widget.step_through, space.widget.diagram
    seen = []
    for _ in range(6):
        panel.next_button.click()
        seen.append(_label_kinds(diagram))
        if len(seen) == 5:
            assert diagram.labels[diagram.layout_.node_index(1, 0)].toPlainText() == "δ 0.00877"
    assert seen == [
        ["a", "a", ""],  # forward, layer 1
        ["a", "a", "a"],  # forward, layer 2
        ["a", "a", "δ"],  # loss: the output layer's δ
        ["a", "a", "δ"],  # backward, layer 2: dW₂ from δ of the output; hidden δ not yet
        ["a", "δ", "δ"],  # backward, layer 1: the hidden δ by the chain rule
        ["a", "a", "a"],  # update
    ]
