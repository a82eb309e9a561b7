"""The main window: run controls, mid-run changes, divergence, formulas, sessions, close."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QSlider,
)

from core.descent.engine import DescentConfig
from core.presets import load_preset
from gui.descent.workspace import NARROW_PLOTS_PX
from gui.export.window_export import export_from_window
from gui.shell.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitUntil(lambda: w.grid_ready, timeout=10_000)
    yield w
    w.close()
    assert not w.worker.is_running()
    assert QThreadPool.globalInstance().waitForDone(2000)


def step_of(w: MainWindow) -> int:
    state = w.worker.latest
    return -1 if state is None else state.frame.step


def short(config: DescentConfig, **changes) -> DescentConfig:
    return config.replace(**changes)


def test_start_pause_step_stop_reset(window, qtbot):
    actions = window.run_actions
    assert actions["play"].shortcut() == QKeySequence("Space")
    assert actions["step"].shortcut() == QKeySequence("Right")
    assert actions["reset"].shortcut() == QKeySequence("R")
    qtbot.waitUntil(lambda: step_of(window) == 0)  # a new window waits at step 0
    actions["play"].trigger()
    qtbot.waitUntil(lambda: step_of(window) > 20)
    actions["play"].trigger()
    assert window.worker.status == "paused"
    actions["step"].trigger()
    assert window.worker.status == "paused"
    actions["stop"].trigger()
    assert window.worker.status == "stopped"
    actions["reset"].trigger()
    qtbot.waitUntil(lambda: step_of(window) == 0)
    actions["step"].trigger()
    qtbot.waitUntil(lambda: step_of(window) == 1)
    qtbot.waitUntil(lambda: window.descent.timeline.step_label.text() == "step 1")


def test_close_while_running_stops_the_thread(qtbot, qtlog):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.controller.apply_config(DescentConfig(steps=10_000_000), playing=True)
    qtbot.waitUntil(lambda: step_of(w) > 50)
    assert w.worker.is_running()
    w.close()
    assert not w.worker.is_running()
    assert QThreadPool.globalInstance().waitForDone(2000)
    assert not [r for r in qtlog.records if "Destroyed while thread" in r.message]


def test_changing_the_learning_rate_mid_run_restarts_with_it(window, qtbot):
    window.controls.run.flat_out.setChecked(True)
    window.controls.run.steps.setValue(1_000_000)
    qtbot.waitUntil(lambda: window.controller.config.steps == 1_000_000)
    window.worker.play()
    qtbot.waitUntil(lambda: step_of(window) > 30)
    old_generation = window.worker.generation
    window.controls.rates.lr.setValue(0.0005)
    qtbot.waitUntil(lambda: window.worker.generation > old_generation)
    assert window.worker.status == "playing"
    qtbot.waitUntil(lambda: window.worker.latest is not None and step_of(window) > 5)
    assert window.worker.latest.generation == window.worker.generation
    np.testing.assert_allclose(window.worker.latest.frame.lr, 0.0005)
    assert window.controls.config().learning_rates == (0.0005,)


def test_changing_the_surface_mid_run_loads_its_landscape(window, qtbot):
    window.worker.play()
    qtbot.waitUntil(lambda: step_of(window) > 5)
    combo = window.controls.surface.combo
    combo.setCurrentIndex(combo.findData("himmelblau"))
    qtbot.waitUntil(lambda: window.controller.config.surface == "himmelblau" and window.grid_ready)
    assert window.descent.landscape._grid.title == "Himmelblau"
    qtbot.waitUntil(lambda: step_of(window) > 5 and window.worker.status == "playing")


def test_a_diverging_sweep_says_why(window, qtbot):
    preset = load_preset("lr-sweep-rosenbrock")
    window.load_preset(preset)
    window.controls.run.flat_out.setChecked(True)
    window.play()
    qtbot.waitUntil(lambda: window.descent.banner.divergence.isVisible(), timeout=10_000)
    text = window.descent.banner.divergence.text()
    assert "diverged" in text and "2/λmax" in text and "learning rate 0.01 was above" in text
    assert window.descent.banner.title.text() == preset.title


def test_an_invalid_formula_is_shown_and_the_last_good_surface_kept(window, qtbot):
    panel = window.controls.surface
    panel.combo.setCurrentIndex(panel.combo.findData("expr"))
    qtbot.waitUntil(lambda: window.controller.config.surface == "expr" and window.grid_ready)
    good = window.controller.config.expr
    panel.formula.setText("x**2 + (y")
    panel.formula.returnPressed.emit()
    assert panel.formula_error.isVisible()
    assert "x**2 + 3*y**2" in panel.formula_error.text()
    assert panel.formula_error.text() != ""
    qtbot.wait(300)  # the controls' debounce: no new configuration may come of it
    assert window.controller.config.expr == good
    panel.formula.setText("x**2 + 2*y**2 + x*y")
    panel.formula.returnPressed.emit()
    assert not panel.formula_error.isVisible()
    qtbot.waitUntil(lambda: window.controller.config.expr == "x**2 + 2*y**2 + x*y")


def test_session_round_trip(window, qtbot, tmp_path):
    for name in ("himmelblau-basins", "momentum-overshoot-bowl", "sgd-vs-batch-linreg"):
        preset = load_preset(name)
        window.load_preset(preset)
        assert window.current_preset().config == preset.config
        path = tmp_path / f"{name}.json"
        window.save_session(str(path))
        window.load_preset(load_preset("saddle-escape"))
        assert window.open_session(str(path))
        assert window.current_preset().config == preset.config
    bad = tmp_path / "bad.json"
    bad.write_text('{"config": {"steps": -1}}')
    assert not window.open_session(str(bad))
    assert "steps" in window.status.message.text()


def test_click_in_the_landscape_sets_the_start(window, qtbot):
    window.descent.landscape.start_point_selected.emit(0.5, -0.25)
    qtbot.waitUntil(lambda: window.controller.config.starts == ((0.5, -0.25),))
    assert (window.controls.run.start_x.value(), window.controls.run.start_y.value()) == (
        0.5,
        -0.25,
    )


def test_start_grid_ends_in_an_outcome_map(window, qtbot):
    preset = load_preset("himmelblau-basins")
    window.load_preset(preset)
    window.controls.run.flat_out.setChecked(True)
    window.play()
    qtbot.waitUntil(lambda: window.worker.status == "finished", timeout=20_000)
    qtbot.waitUntil(lambda: window.controller._outcomes is not None)
    assert sorted(window.controller._outcomes.counts()) == [0, 1, 2, 3]


def test_timeline_scrubs_back_and_stays_on_its_step(window, qtbot):
    window.controls.run.steps.setValue(1_000_000)
    window.controls.run.flat_out.setChecked(True)
    qtbot.waitUntil(lambda: window.controller.config.steps == 1_000_000)
    window.play()
    qtbot.waitUntil(
        lambda: window.controller.shown is not None and len(window.controller.shown.history) > 10
    )
    window.descent.timeline.slider.setValue(3)
    assert not window.descent.timeline.following
    pinned = int(window.controller.shown.history.steps[3])
    assert window.descent.timeline.step_label.text() == f"step {pinned:,}"
    # the run goes on and its history is thinned: the views stay at the pinned step (or
    # the nearest recorded step before it), not at whatever now sits in row 3
    stride = window.controller.shown.history.stride
    qtbot.waitUntil(lambda: window.controller.shown.history.stride >= 4 * stride, timeout=30_000)
    history = window.controller.shown.history

    def label_step() -> int:
        return int(window.descent.timeline.step_label.text().split()[1].replace(",", ""))

    qtbot.waitUntil(
        lambda: label_step() <= pinned < label_step() + window.controller.shown.history.stride
    )
    assert history.steps[3] != pinned  # row 3 now holds a later step
    window.descent.timeline.slider.setValue(window.descent.timeline.slider.maximum())
    assert window.descent.timeline.following


def test_presentation_mode_and_export(window, qtbot, tmp_path):
    assert window.window_actions.presentation.shortcut() == QKeySequence("F11")
    window.toggle_presentation()
    assert not window.dock.isVisible() and not window.menuBar().isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.dock.isVisible() and not window._presentation
    path = tmp_path / "landscape.png"
    assert export_from_window(window, "landscape", path, 960, 540)
    assert path.stat().st_size > 10_000


def test_every_control_explains_itself(window):
    kinds = (QAbstractSpinBox, QComboBox, QAbstractButton, QLineEdit, QSlider)
    for kind in kinds:
        for widget in window.controls.findChildren(kind):
            if widget.objectName().startswith("qt_"):  # Qt's own parts (scroll arrows)
                continue
            text = widget.text() if hasattr(widget, "text") else ""
            assert widget.toolTip(), f"{type(widget).__name__} {text!r} has no tooltip"
    for widget in window.descent.timeline.findChildren(QAbstractButton):
        assert widget.toolTip()


def test_spin_boxes_are_bounded_by_cores_limits(window):
    from core.descent.limits import COORDINATE_LIMIT, MAX_WIDGET_INT

    boxes = window.controls.findChildren(QAbstractSpinBox)
    assert boxes
    for box in boxes:
        assert box.maximum() <= MAX_WIDGET_INT and box.minimum() >= -COORDINATE_LIMIT
    run = window.controls.run
    assert run.seed.maximum() == MAX_WIDGET_INT  # a session's seed 2**31 - 1 shows as it is
    assert run.start_x.maximum() == COORDINATE_LIMIT


def test_banner_gauge_and_rate_panel_agree_on_the_race(window, qtbot):
    """optimizer-race-beale once showed three different critical rates at once."""
    window.load_preset(load_preset("optimizer-race-beale"))
    window.controls.run.flat_out.setChecked(True)
    window.play()
    qtbot.waitUntil(lambda: window.controller.shown is not None, timeout=10_000)
    qtbot.wait(500)
    window.pause()
    qtbot.waitUntil(lambda: window.up_to_date, timeout=5000)
    meter, rates = window.descent.stability, window.controls.rates

    def shown() -> tuple[str, str]:
        limit = meter.gauge.limit
        return f"{limit:.3g}" if np.isfinite(limit) else "no rate limit", meter.values.text()

    # the rate panel updates at most four times a second: it catches up, then agrees
    qtbot.waitUntil(lambda: shown()[0] in rates.critical.text(), timeout=5000)
    text, values = shown()
    assert text in values
    label = values.split("</b>")[0].removeprefix("<b>")
    assert label in rates.critical.text()


def test_start_boxes_show_where_the_runs_start(window, qtbot):
    controls = window.controls
    combo = controls.surface.combo
    combo.setCurrentIndex(combo.findData("expr"))
    qtbot.waitUntil(lambda: window.controller.config.surface == "expr")
    start = tuple(window.controller.runs.start[0])
    assert (controls.run.start_x.value(), controls.run.start_y.value()) == pytest.approx(start)
    combo.setCurrentIndex(combo.findData("bowl"))
    qtbot.waitUntil(lambda: window.controller.config.surface == "bowl")
    window.descent.landscape.start_point_selected.emit(-1.0, 0.5)
    qtbot.waitUntil(lambda: window.controller.config.starts == ((-1.0, 0.5),))
    # a parameter of the same surface keeps the chosen start
    controls.surface._param_widgets["condition"].setValue(25.0)
    qtbot.waitUntil(lambda: dict(window.controller.config.surface_params)["condition"] == 25.0)
    assert window.controller.config.starts == ((-1.0, 0.5),)


def test_each_optimizer_can_have_its_own_batch_on_linreg(window, qtbot):
    window.load_preset(load_preset("sgd-vs-batch-linreg"))
    rows = window.controls.optimizers._rows
    assert not any(row.batch_combo.isHidden() for row in rows)
    assert [spec.batch for spec in window.controls.optimizers.specs()] == [0, 8, 1]
    rows[1].batch_combo.setCurrentIndex(rows[1].batch_combo.findData(16))
    qtbot.waitUntil(lambda: [s.batch for s in window.controller.config.optimizers] == [0, 16, 1])
    window.load_preset(load_preset("optimizer-race-beale"))
    rows = window.controls.optimizers._rows
    assert all(row.batch_combo.isHidden() for row in rows)


def test_play_after_scrubbing_back_continues_from_the_scrubbed_step(window, qtbot):
    window.controls.run.steps.setValue(100_000)
    qtbot.waitUntil(lambda: window.controller.config.steps == 100_000)
    window.play()
    qtbot.waitUntil(
        lambda: window.controller.shown is not None and len(window.controller.shown.history) > 20
    )
    window.pause()
    qtbot.waitUntil(lambda: window.worker.status == "paused")
    window.descent.timeline.slider.setValue(5)
    pinned = window.controller.scrub_step
    assert pinned > 0
    old = window.worker.generation
    window.run_actions["play"].trigger()
    qtbot.waitUntil(lambda: window.worker.generation > old and step_of(window) > pinned + 3)
    assert window.worker.status == "playing"
    assert window.descent.timeline.following
    qtbot.waitUntil(lambda: window.controller.shown.frame.step > pinned)
    history = window.controller.shown.history
    assert int(history.steps[0]) == 0  # the past before the scrubbed step is kept
    window.pause()


def test_export_without_an_extension_writes_a_png_and_failures_are_reported(window, tmp_path):
    def export(path) -> bool:
        return export_from_window(window, "landscape", path, 640, 360)

    assert export(tmp_path / "slide")
    written = tmp_path / "slide.png"
    assert written.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(written) in window.status.message.text()
    assert not export(tmp_path / "missing-folder" / "x.png")
    assert "Could not export" in window.status.message.text()
    assert not export(tmp_path / "slide.jpg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slide.png"]  # nothing partial


def test_saving_a_session_replaces_the_old_file_whole_and_reports_failures(window, tmp_path):
    path = tmp_path / "lesson.json"
    assert window.save_session(str(path))
    first = path.read_text()
    assert window.save_session(str(path))
    assert path.read_text() == first
    assert not window.save_session(str(tmp_path / "no-such-folder" / "x.json"))
    assert "Could not save" in window.status.message.text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson.json"]


def test_space_plays_and_pauses_from_any_control_but_types_in_a_formula(window, qtbot):
    rates = window.controls.rates
    before = rates.lr.value()
    rates.lr.setFocus()
    qtbot.keyClick(rates.lr, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.worker.status == "playing")
    assert rates.lr.value() == before  # nothing typed into the rate
    combo = window.controls.schedule.kind
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.worker.status == "paused")
    assert not combo.view().isVisible()  # the drop-down stayed closed
    qtbot.keyClick(combo, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: step_of(window) == 0)
    panel = window.controls.surface
    panel.combo.setCurrentIndex(panel.combo.findData("expr"))
    panel.formula.setFocus()
    panel.formula.clear()
    qtbot.keyClicks(panel.formula, "x + y")
    assert panel.formula.text() == "x + y"
    assert window.worker.status == "paused"


def test_presets_menu_lists_titles_by_workspace_and_the_status_bar_no_frame_rate(window):
    from core.presets import list_presets

    bar_actions = window.menuBar().actions()  # kept: the menu's wrapper lives as long
    presets_action = next(a for a in bar_actions if a.text() == "&Presets")
    menu = presets_action.menu()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    titles = {title for _, title, _ in list_presets()}
    assert titles <= set(texts)
    assert not any("-" in t and " " not in t for t in texts)  # no file names
    sections = [a.text() for a in menu.actions() if a.isSeparator() and a.text()]
    assert sections[0] == "Gradient descent"
    shown = " ".join(label.text() for label in window.status.findChildren(QLabel))
    assert "frames/s" not in shown and "steps/s" in shown


def test_a_small_screen_gets_the_curves_as_a_tab_and_a_large_one_beside(window, qtbot):
    workspace = window.descent
    window.resize(1024, 768)
    qtbot.waitUntil(lambda: workspace.narrow)
    assert workspace.tabs.indexOf(workspace.side_scroll) >= 0
    assert workspace.side_scroll.widget() is workspace.side_column
    assert workspace.landscape.width() > 500  # the landscape gets the whole width
    workspace.tabs.setCurrentWidget(workspace.side_scroll)
    # the plots keep a readable height (they were ~30 px each) and the tab scrolls
    qtbot.waitUntil(lambda: workspace.side_plots.height() >= 0.9 * NARROW_PLOTS_PX)
    assert workspace.side_scroll.verticalScrollBar().maximum() > 0
    window.resize(1600, 960)
    qtbot.waitUntil(lambda: not workspace.narrow)
    assert workspace.tabs.indexOf(workspace.side_scroll) < 0
    assert workspace.side_column.parent() is workspace.split
    assert workspace.side_column.isVisible() and workspace.side_column.minimumHeight() == 0
