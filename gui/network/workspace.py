"""The network workspace: its widgets laid out, and the machinery that drives them.

`NetworkWorkspace` only builds and arranges the widgets (headline; the diagram beside the
step-through panel; the data view, loss and accuracy curves and gradient-norm strip
below; the timeline). `NetworkSpace` puts it together with its own worker, background
jobs, animation clock, `NetworkController` and draw loop, with the same face as
`gui.descent.workspace.DescentSpace`, so the main window hosts it without knowing what
runs in it.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QTabWidget, QVBoxLayout, QWidget

from core.nn.presets import NetworkPreset, load_network_preset
from core.nn.training import build_network
from core.session import NetworkSession, NetworkView
from gui.descent.panels.idea_banner import IdeaBanner
from gui.network.controller import NetworkController
from gui.network.inside import install as install_inside
from gui.network.narrow_layout import WIDE_STRETCH, NarrowLayout
from gui.network.panels.controls import NetworkControls
from gui.network.panels.step_through import StepThroughPanel
from gui.network.protocols import NetworkViews
from gui.network.runs import preset_speed, variant_overrides
from gui.network.views.curves import GradientStrip, TrainingCurves
from gui.network.views.data_view import DataView
from gui.network.views.diagram import NetworkDiagram
from gui.shell.draw_loop import DrawLoop
from gui.shell.jobs import BackgroundJobs
from gui.shell.timeline import Timeline
from gui.shell.worker import RunWorker

DEFAULT_PRESET = "xor-needs-a-hidden-layer"  # what the workspace shows before any choice
# Flat out, at most 20 frames a second (the descent draws 30): a network's picture moves
# little from frame to frame, and on two cores every millisecond the window draws slows
# the run's process (measured on [2,8,8,8,1]: the window at 0.3 of a core cost the run a
# quarter of its rate, though the run had a core of its own).
FLAT_OUT_INTERVAL_MS = 50
# the tabs beside the diagram, by their widget's name: a label short enough for all six
# to fit beside the diagram at 1600 px, and the full name with what it shows as tooltip
TAB_LABELS = {
    "data": ("Data", "The data set's points over what the network outputs."),
    "step-through": (
        "By hand",
        "Backprop by hand: one sample's training step, phase by phase, every number written out.",
    ),
    "neurons": ("Neurons", "What each hidden neuron responds to, over the input plane."),
    "weights": ("Weights", "How the weights and biases of each layer are spread, over time."),
    "landscape": ("Landscape", "The loss on a 2-D slice of weight space around the weights."),
    "gradient-check": (
        "Grad check",
        "Gradient check: backprop's gradients against finite differences, layer by layer.",
    ),
}
WIDE_TABS = ("neurons", "landscape")  # pictures that want room: the side column widens
SIDE_SHARE = WIDE_STRETCH[1] / sum(WIDE_STRETCH)  # of the width, tabs beside the diagram
WIDE_SIDE_SHARE = 0.55  # and while a tab of pictures is in front


class NetworkWorkspace(QWidget):
    """Diagram and (tabbed) data view or step-through above, curves and gradient strip
    below, headline and timeline."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controls = NetworkControls()
        self.banner = IdeaBanner()
        self.diagram = NetworkDiagram()
        self.step_through = StepThroughPanel()
        self.data_view = DataView()
        self.curves = TrainingCurves()
        self.gradients = GradientStrip()
        self.timeline = Timeline()
        self.side = QTabWidget()
        self.data_view.setObjectName("data")  # names a preset's "opens" can give
        self.step_through.setObjectName("step-through")
        self.side.addTab(self.data_view, "Data")
        self.side.addTab(self.step_through, "Backprop by hand")
        top = self.top = QSplitter()
        top.addWidget(self.diagram)
        top.addWidget(self.side)
        top.setStretchFactor(0, WIDE_STRETCH[0])
        top.setStretchFactor(1, WIDE_STRETCH[1])
        bottom = QWidget()
        row = QHBoxLayout(bottom)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.curves, 2)
        row.addWidget(self.gradients, 1)
        split = QSplitter()
        split.setOrientation(split.orientation().Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        layout.addWidget(self.timeline)
        self.narrow_layout = NarrowLayout(self, top, self.side, bottom, row, split)
        self._wide_side: bool | None = None  # the share last set: a picture tab's or not
        self.side.currentChanged.connect(lambda _i: self.fit_side())
        # a picture tab put in front before the workspace had a size widens it once it has
        self.narrow_layout.laid_out.connect(self.fit_side)

    def label_tabs(self) -> None:
        """Short tab labels (``TAB_LABELS``), the full names as tooltips."""
        for i in range(self.side.count()):
            label = TAB_LABELS.get(self.side.widget(i).objectName())
            if label is not None:
                self.side.setTabText(i, label[0])
                self.side.setTabToolTip(i, label[1])

    def fit_side(self) -> None:
        """Give the tabs beside the diagram more of the width while a tab of pictures
        (``WIDE_TABS``) is in front, their usual share otherwise (the wide layout only;
        a splitter the user dragged is changed only when the kind of tab changes)."""
        if self.narrow_layout.narrow:
            self._wide_side = None  # back in the wide layout, the share is set again
            return
        wide = self.side.currentWidget().objectName() in WIDE_TABS
        total = sum(self.top.sizes())
        if wide == self._wide_side or total < 100:
            return  # (total: not laid out yet, e.g. a preset opened before the window shows)
        self._wide_side = wide
        share = WIDE_SIDE_SHARE if wide else SIDE_SHARE
        self.top.setSizes([round(total * (1 - share)), round(total * share)])

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.narrow_layout.schedule()  # below 880 px: tabs under the diagram (narrow_layout)

    def show_step_through(self, on: bool) -> None:
        """Show the step-through panel (on) or the data view beside the diagram."""
        self.side.setCurrentWidget(self.step_through if on else self.data_view)

    def show_view(self, name: str) -> bool:
        """Bring the tab whose widget is named ``name`` (`core.nn.presets.OPENS`) to the
        front; False if there is none."""
        for i in range(self.side.count()):
            if self.side.widget(i).objectName() == name:
                self.side.setCurrentIndex(i)
                return True
        return False

    def views(self, status, clock) -> NetworkViews:
        """The interfaces the controller drives (``status``: the window's status bar)."""
        return NetworkViews(
            diagram=self.diagram,
            data=self.data_view,
            curves=self.curves,
            gradients=self.gradients,
            step_through=self.step_through,
            banner=self.banner,
            timeline=self.timeline,
            status=status,
            controls=self.controls,
            clock=clock,
        )


class NetworkSpace:
    """The network workspace with its worker, jobs, clock, controller and draw loop, wired."""

    title = "Backpropagation"
    workspace = "network"

    def __init__(self, status, parent) -> None:
        self.status = status
        self.worker = RunWorker(parent)
        self.jobs = BackgroundJobs()
        self.clock = QTimer(parent)
        self.clock.setObjectName("networkAnimationClock")
        self.widget = NetworkWorkspace()
        self.controls = self.widget.controls
        self.controller = NetworkController(
            self.widget.views(status, self.clock), self.worker, self.jobs
        )
        self.draw_loop = DrawLoop(
            self.worker, self.controller.show, parent, flat_out_interval_ms=FLAT_OUT_INTERVAL_MS
        )
        self.preset: NetworkPreset | None = None
        self._connect()
        self.inside = install_inside(self)
        self.widget.label_tabs()
        self.load_preset_name(DEFAULT_PRESET)

    def __repr__(self) -> str:
        return f"NetworkSpace({self.controller!r})"

    def _connect(self) -> None:
        worker, controller, widget = self.worker, self.controller, self.widget
        worker.state_ready.connect(self.status.count_state)
        worker.status_changed.connect(controller.on_status)
        worker.errored.connect(controller.on_error)
        self.clock.timeout.connect(controller.on_clock)
        controls = self.controls
        controls.config_changed.connect(lambda config: controller.apply_config(config))
        controls.failed.connect(self.status.show_error)
        controls.speed_changed.connect(self.set_speed)
        controls.run_selected.connect(controller.select_run)
        controls.variants_toggled.connect(lambda on: controller.set_variants(on, self.preset))
        panel = widget.step_through
        panel.next_clicked.connect(controller.next_phase)
        widget.side.currentChanged.connect(lambda _i: controller.redraw())
        panel.previous_clicked.connect(controller.previous_phase)
        panel.sample_changed.connect(controller.set_sample)
        widget.timeline.play_clicked.connect(controller.toggle_play)
        widget.timeline.step_clicked.connect(controller.step)
        widget.timeline.reset_clicked.connect(controller.reset)
        widget.timeline.scrubbed.connect(controller.scrub)
        self.set_speed(controls.training.speed_value())

    def set_speed(self, steps_per_second: float | None) -> None:
        self.controller.set_speed(steps_per_second)
        self.draw_loop.set_flat_out(steps_per_second is None)

    def load_preset(self, preset: NetworkPreset, start: bool = True) -> None:
        """Show a network preset (controls, headline, variants) at step 0: paused, except
        a preset that opens on the landscape (``start``), which plays so that its slice
        computes by itself when the run comes to rest (a slice at step 0 has no path)."""
        self.preset = preset
        self.controls.set_has_variants(bool(preset.variants))
        speed = preset_speed(preset)
        self.controls.training.set_speed(speed)
        self.set_speed(speed)
        self.controller.load_preset(preset)
        self.widget.step_through.set_sample(self.controller.sample)
        self.widget.show_step_through(preset.config.sample_index is not None)
        if preset.opens:
            self.widget.show_view(preset.opens)
        if start and preset.opens == "landscape":
            self.controller.play()

    def load_preset_name(self, name: str) -> None:
        """Open the shipped network preset ``name`` (ValueError names what is wrong)."""
        self.load_preset(load_network_preset(name))

    def current_session_part(self) -> NetworkSession:
        """The workspace as a session part: the base config the runs train (data set,
        seeds, starting weights, the traced sample), the variants that fit it, the view."""
        controller = self.controller
        config = dataclasses.replace(controller.config, sample_index=controller.sample)
        dataset = controller.runs[0].dataset
        variants = []
        for label, fields in variant_overrides(self.preset) if self.preset else []:
            try:  # the controller leaves out a variant that does not fit the edited base
                variant = dataclasses.replace(config, **fields)
                build_network(variant, dataset)
            except ValueError:
                continue
            variants.append((label, variant))
        opens = self.preset.opens if self.preset else ""
        preset = NetworkPreset(
            controller.title, controller.idea, config, tuple(variants), opens=opens
        )
        shows_steps = self.widget.side.currentWidget() is self.widget.step_through
        variants_on = self.controls.variants.isChecked()
        view = NetworkView(variants_on, controller.selected, controller.speed, shows_steps)
        return NetworkSession(preset, view)

    def apply_session_part(self, part: NetworkSession) -> None:
        """Show a saved network part: its runs paused at step 0, then its view settings."""
        view = part.view
        if view is None:  # a network preset opened as a session
            self.load_preset(part.preset)
            return
        self.controls.variants.blockSignals(True)
        self.controls.variants.setChecked(view.variants_on)
        self.controls.variants.blockSignals(False)
        shown = part.preset if view.variants_on else dataclasses.replace(part.preset, variants=())
        self.load_preset(shown, start=False)  # a session reopens as it was saved: paused
        self.preset = part.preset  # switching the variants on brings them back
        self.controls.set_has_variants(bool(part.preset.variants))
        self.controls.training.set_speed(view.speed)
        self.set_speed(view.speed)
        self.controller.select_run(view.shown_run)
        self.controls.shown_run.blockSignals(True)
        self.controls.shown_run.setCurrentIndex(view.shown_run)
        self.controls.shown_run.blockSignals(False)
        self.widget.show_step_through(view.step_through)

    @property
    def up_to_date(self) -> bool:
        return self.draw_loop.up_to_date

    def is_settled(self) -> bool:
        """The data view shows the output grid of the newest state drawn."""
        return self.controller.shown is not None and self.controller.grid_settled

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: larger fonts and thicker lines in the plots and the diagram,
        and in every inside tab that has them (the theme scales the widgets' own fonts)."""
        widget = self.widget
        for view in (widget.diagram, widget.data_view, widget.curves, widget.gradients):
            view.set_presentation(on)
        for part in self.inside:
            if hasattr(part, "set_presentation"):
                part.set_presentation(on)

    def export_views(self) -> dict[str, QWidget]:
        """The views File → Export offers, name -> widget: the four below, then every
        inside part's ``export_view`` ``(name, widget)`` (gui/export draws them)."""
        widget = self.widget
        views: dict[str, QWidget] = {
            "diagram": widget.diagram,
            "data": widget.data_view,
            "curves": widget.curves,
            "gradients": widget.gradients,
        }
        for part in self.inside:
            name, view = getattr(part, "export_view", (None, None))
            if name and view is not None:
                views.setdefault(name, view)
        return views

    def shutdown(self, timeout_ms: int) -> bool:
        """Stop drawing and animating, close the inside tabs' work (a slice being computed
        is cancelled, late results dropped), join the runs and the background jobs."""
        self.controller.close()
        for part in self.inside:
            if hasattr(part, "close"):
                part.close()
        self.clock.stop()
        self.widget.narrow_layout.stop()
        self.draw_loop.stop()
        ok = self.worker.shutdown(timeout_ms)
        return self.jobs.wait(timeout_ms) and ok
