"""Which phase of a training step the diagram shows: animated, or walked by hand.

`PhaseWalker` has no Qt in it. It keeps the `SampleWalk` of the shown step (from
`core.nn.step_through`) and the index of the phase on screen, and moves through the phases
either when the user presses Next / Previous (step-through) or when the window's clock
ticks (an animated step: forward, loss, backward with pulses, update). It tells the
diagram and the step-through panel what to show; it never computes a number itself.
"""

from __future__ import annotations

from typing import Any

NEXT_HINT = "Press Next to walk the chosen sample through one training step."
TICK_MS = 33  # the animation clock's interval: pulses move ~30 times a second


class PhaseWalker:
    """The phase on screen and the animation of one step (see the module docstring).

    Parameters
    ----------
    diagram, panel, clock : the diagram, the step-through panel and the animation clock
        (`gui.network.protocols`).
    """

    def __init__(self, diagram, panel, clock) -> None:
        self.diagram, self.panel, self.clock = diagram, panel, clock
        self.walk: Any = None
        self.frame: Any = None
        self.index = -1  # -1: no phase on screen (the diagram shows the live state)
        self.by_hand = False  # Next / Previous walk it (else it is animated or live)
        self.phase_ms = 200.0
        self._elapsed = 0.0

    def __repr__(self) -> str:
        phases = 0 if self.walk is None else len(self.walk.phases)
        return f"PhaseWalker(phase={self.index}/{phases}, animating={self.animating})"

    @property
    def animating(self) -> bool:
        return bool(self.clock.isActive())

    @property
    def active(self) -> bool:
        """A phase is on screen (walked by hand or animated)."""
        return self.index >= 0

    @property
    def at_end(self) -> bool:
        return self.walk is not None and self.index >= len(self.walk.phases) - 1

    def set_walk(self, walk, frame, index: int = 0) -> None:
        """Show phase ``index`` of the walk of ``frame``'s step (a new step, a new sample)."""
        self.walk, self.frame = walk, frame
        self.show(min(max(index, 0), len(walk.phases) - 1))

    def show(self, index: int) -> None:
        self.index = index
        self._elapsed = 0.0
        self.diagram.show_phase(self.frame, self.walk, index)
        self.panel.show_phase(self.walk, index)

    def next(self) -> bool:
        """One phase on; False at the last phase (the caller may take a training step)."""
        if self.walk is None or self.at_end:
            return False
        self.show(self.index + 1)
        return True

    def previous(self) -> bool:
        if self.walk is None or self.index <= 0:
            return False
        self.show(self.index - 1)
        return True

    def animate(self, walk, frame, step_ms: float) -> None:
        """Play every phase of ``walk`` within ``step_ms`` milliseconds."""
        self.phase_ms = max(step_ms / len(walk.phases), TICK_MS)
        self.by_hand = False
        self.set_walk(walk, frame, 0)
        if not self.animating:
            self.clock.start(TICK_MS)

    def tick(self) -> bool:
        """The clock ticked: move the pulses, or go to the next phase; False when done."""
        if self.walk is None:
            self.clock.stop()
            return False
        self._elapsed += TICK_MS
        if self._elapsed < self.phase_ms:
            self.diagram.set_pulse(self._elapsed / self.phase_ms)
            return True
        if self.next():
            return True
        self.clock.stop()
        return False

    def leave(self) -> None:
        """Back to the live state: no phase on screen, no animation."""
        if self.animating:
            self.clock.stop()
        if self.index >= 0:
            self.panel.clear(NEXT_HINT)
        self.index = -1
        self.by_hand = False
