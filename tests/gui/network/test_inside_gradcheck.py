"""The gradient-check tab: its logic against mocks, and the panel in the window flagging a
deliberately wrong gradient."""

from __future__ import annotations

from unittest.mock import MagicMock, create_autospec

from core.nn.data_spec import DataSpec
from core.nn.gradcheck_frame import gradient_check_at
from core.nn.network import MLP
from core.nn.train_config import TrainConfig
from core.nn.training import train
from gui.network.inside.gradcheck import GradientCheck, GradientCheckView
from gui.network.inside.gradcheck_panel import GradientCheckPanel
from gui.network.runs import NetworkRun
from gui.shell.jobs import BackgroundJobs


def _run_and_frames():
    config = TrainConfig(layers=(2, 3, 1), epochs=2, data=DataSpec("moons", n=40))
    dataset = config.make_dataset()
    run = NetworkRun("base", config, dataset, 1)
    return run, list(train(config, dataset))


def _logic():
    view = create_autospec(GradientCheckView, instance=True)
    jobs = create_autospec(BackgroundJobs, instance=True)
    source = MagicMock()
    source.shown_run.return_value = None
    return GradientCheck(view, source, jobs), view, jobs, source


def test_a_check_runs_core_in_the_background_and_shows_its_result():
    check, view, jobs, source = _logic()
    view.set_available.assert_called_with(False)  # nothing to check before a run shows
    check.request()
    jobs.submit.assert_not_called()
    run, frames = _run_and_frames()
    source.shown_run.return_value = (run, frames[1], None)
    check.on_shown_changed()
    view.set_available.assert_called_with(True)
    check.request()
    check.request()  # pressed again while it computes: one job only
    jobs.submit.assert_called_once()
    fn, args, done, _failed = jobs.submit.call_args.args
    assert fn is gradient_check_at and args == (run.config, frames[1], run.dataset)
    view.set_busy.assert_called_with(True)
    result = fn(*args)
    done(result)
    view.set_busy.assert_called_with(False)
    view.show_check.assert_called_once_with(result, (2, 3, 1))
    view.show_stale.assert_called_with("")  # the check is of the step on screen
    assert check.result.verdict == "pass" and not check.busy


def test_the_view_says_when_the_run_has_moved_on_since_the_check():
    check, view, jobs, source = _logic()
    run, frames = _run_and_frames()
    source.shown_run.return_value = (run, frames[0], None)
    check.request()
    done = jobs.submit.call_args.args[2]
    done(gradient_check_at(run.config, frames[0], run.dataset))
    source.shown_run.return_value = (run, frames[2], None)
    check.on_shown_changed()
    view.show_stale.assert_called_with("This check is of step 0; step 2 is shown now.")
    other, _ = _run_and_frames()
    source.shown_run.return_value = (other, frames[0], None)
    check.on_shown_changed()
    assert "earlier run" in view.show_stale.call_args.args[0]


def test_late_and_failed_results():
    check, view, jobs, source = _logic()
    run, frames = _run_and_frames()
    source.shown_run.return_value = (run, frames[0], None)
    check.request()
    _fn, _args, done, failed = jobs.submit.call_args.args
    failed(ValueError("X must hold finite numbers"))
    view.show_error.assert_called_once_with("The gradient check failed: X must hold finite numbers")
    assert not check.busy
    check.request()
    done = jobs.submit.call_args.args[2]
    check.close()  # the window closed while it computed
    done(gradient_check_at(run.config, frames[0], run.dataset))
    view.show_check.assert_not_called()


def _check(space, qtbot, panel) -> None:
    qtbot.waitUntil(lambda: panel.button.isEnabled(), timeout=10_000)
    panel.button.click()
    assert not panel.button.isEnabled()  # disabled while it computes
    qtbot.waitUntil(lambda: panel.button.isEnabled(), timeout=30_000)


def test_the_panel_flags_a_deliberately_wrong_gradient(window, qtbot, monkeypatch):
    window.load_preset_name("learning-rate-on-a-network")  # [1, 16, 16, 1], tanh
    space = window.network_space
    qtbot.waitUntil(lambda: space.controller.shown is not None, timeout=10_000)
    side = space.widget.side
    tabs = {side.widget(i).objectName(): side.tabText(i) for i in range(side.count())}
    assert tabs["gradient-check"] == "Grad check"  # a tab beside the diagram (short label)
    panel = next(side.widget(i) for i in range(side.count()) if side.tabText(i) == "Grad check")
    assert space.widget.show_view("gradient-check")
    assert (
        dict(p.export_view for p in space.inside if hasattr(p, "export_view"))["gradient check"]
        is panel
    )
    _check(space, qtbot, panel)
    assert panel.verdict.text().startswith("Pass:")
    assert [panel.verdict_of_cell(row, col) for row in range(3) for col in range(2)] == ["pass"] * 6
    assert "batch of 150 samples" in panel.note.text()

    original = MLP._hidden_delta

    def slipped(self, layer, *args):  # the second hidden layer's error signal, 1.5x
        delta = original(self, layer, *args)
        return delta * 1.5 if layer == 1 else delta

    monkeypatch.setattr(MLP, "_hidden_delta", slipped)
    _check(space, qtbot, panel)
    # the slip reaches W2, b2 and, through the chain rule, everything before them
    assert panel.verdict.text().startswith("Fail:") and "W1, b1, W2, b2" in panel.verdict.text()
    assert panel.table.verticalHeaderItem(1).text() == "layer 2 (16 → 16)"
    for row in (0, 1):
        assert panel.verdict_of_cell(row, 0) == panel.verdict_of_cell(row, 1) == "fail"
    assert panel.verdict_of_cell(2, 0) == panel.verdict_of_cell(2, 1) == "pass"
    assert "fail" in panel.table.item(1, 0).text()


def test_the_panel_shows_batch_norm_columns_and_says_dropout_was_off(qtbot):
    config = TrainConfig(
        layers=(2, 4, 3, 1), epochs=1, dropout=0.25, batch_norm=True, data=DataSpec("moons", n=40)
    )
    dataset = config.make_dataset()
    frame = next(iter(train(config, dataset)))
    panel = GradientCheckPanel()
    qtbot.addWidget(panel)
    panel.set_available(True)
    panel.set_busy(True)
    assert not panel.button.isEnabled() and panel.busy_label.text()
    panel.set_busy(False)
    assert panel.button.isEnabled() and not panel.busy_label.text()
    panel.show_check(gradient_check_at(config, frame, dataset), config.layers)
    headers = [panel.table.horizontalHeaderItem(c).text() for c in range(4)]
    assert headers == ["W", "b", "γ (batch norm)", "β (batch norm)"]
    assert panel.verdict_of_cell(1, 2) == "pass" and panel.verdict_of_cell(2, 2) is None
    assert "dropout (p = 0.25) switched off" in panel.note.text()
    assert "batch norm in training mode" in panel.note.text()
    assert panel.verdict.text().startswith("Pass")


def test_a_step_picked_on_the_timeline_is_not_checked_and_the_panel_says_why():
    import dataclasses

    from gui.network.inside.gradcheck import NO_BATCH_NOTE

    check, view, jobs, source = _logic()
    run, frames = _run_and_frames()
    recorded = dataclasses.replace(frames[1], batch_indices=None)  # as history rebuilds it
    source.shown_run.return_value = (run, recorded, None)
    check.on_shown_changed()
    view.set_available.assert_called_with(False)
    view.show_stale.assert_called_with(NO_BATCH_NOTE)
    check.request()
    jobs.submit.assert_not_called()
