"""The network workspace on a small screen: the views rearranged below a width.

Wide, the diagram sits beside the tabs (data view, backprop by hand, ...) with the loss
and accuracy curves and the gradient-norm strip in a row below. At 1024 x 768 with the
controls docked the workspace is under 600 px wide: side by side, an eight-layer diagram
gets 200 px and its layer titles run into each other, and the row of three plots is cut
at the right. So below ``NARROW_BELOW`` px the tabs go *under* the diagram (which gets
the whole width, and the step-through's numbers stay on screen with the phase they
describe), and the curves and the strip become one more tab, stacked. As in the descent
workspace, widgets move after the resize has been delivered, never during it, with
hysteresis so that dragging the window's edge across the line does not flap.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QBoxLayout, QSplitter, QTabWidget, QWidget

NARROW_BELOW = 880  # px of workspace width under which the layout is stacked
HYSTERESIS = 60  # px past the line before going back to the wide layout
CURVES_TAB = "Curves"
STRIP_MIN_HEIGHT = 120  # px, narrow: the gradient strip under the curves
DIAGRAM_SHARE = 0.45  # of the height, narrow: the rest for the tabs under it
WIDE_STRETCH = (11, 9)  # wide: diagram and tabs share the width 55:45 (six tabs fit)


class NarrowLayout(QObject):
    """Switches the workspace's ``top`` splitter (diagram, ``side`` tabs) and ``bottom``
    row (curves, gradient strip; its box layout ``row``) between the wide and the narrow
    arrangement inside the vertical ``split``. ``laid_out`` fires after each resize has
    been delivered and the arrangement chosen (the splitters have their sizes then)."""

    laid_out = Signal()

    def __init__(
        self,
        workspace: QWidget,
        top: QSplitter,
        side: QTabWidget,
        bottom: QWidget,
        row: QBoxLayout,
        split: QSplitter,
    ) -> None:
        super().__init__(workspace)
        self.workspace, self.top, self.side = workspace, top, side
        self.bottom, self.row, self.split = bottom, row, split
        self.bottom.setObjectName("curves")  # a name a preset's "opens" may give
        self.narrow = False
        self.row_stretch = (row.stretch(0), row.stretch(1))  # the wide row's shares
        self._relayout = QTimer(self, singleShot=True, interval=0)
        self._relayout.timeout.connect(self.apply_width)

    def schedule(self) -> None:
        """The workspace was resized: rearrange once the resize has been delivered."""
        self._relayout.start()

    def apply_width(self) -> None:
        width = self.workspace.width()
        if not self.narrow and width < NARROW_BELOW:
            self.set_narrow(True)
        elif self.narrow and width > NARROW_BELOW + HYSTERESIS:
            self.set_narrow(False)
        self.laid_out.emit()

    def set_narrow(self, narrow: bool) -> None:
        """Narrow: tabs under the diagram, curves and strip stacked in a tab of their own."""
        if narrow == self.narrow:
            return
        self.narrow = narrow
        current = self.side.currentWidget()
        if narrow:
            self.top.setOrientation(Qt.Orientation.Vertical)
            self.row.setDirection(QBoxLayout.Direction.TopToBottom)
            self.row.setStretch(0, 1)  # stacked: the strip as high as the curves
            self.row.setStretch(1, 1)
            # (a plot's size hint is a few px high: without a floor the curves take it all)
            self.row.itemAt(1).widget().setMinimumHeight(STRIP_MIN_HEIGHT)
            self.side.insertTab(1, self.bottom, CURVES_TAB)  # next to the data: in sight
            self.top.setStretchFactor(0, 1)
            self.top.setStretchFactor(1, 1)
            height = self.split.height()  # the top now has all of it
            self.top.setSizes([round(height * DIAGRAM_SHARE), round(height * (1 - DIAGRAM_SHARE))])
        else:
            self.side.removeTab(self.side.indexOf(self.bottom))
            self.split.addWidget(self.bottom)
            self.row.setDirection(QBoxLayout.Direction.LeftToRight)
            for index, stretch in enumerate(self.row_stretch):
                self.row.setStretch(index, stretch)
            self.row.itemAt(1).widget().setMinimumHeight(0)
            self.top.setOrientation(Qt.Orientation.Horizontal)
            self.top.setStretchFactor(0, WIDE_STRETCH[0])
            self.top.setStretchFactor(1, WIDE_STRETCH[1])
            self.split.setStretchFactor(1, 2)
        self.bottom.show()
        self.side.setCurrentWidget(current)  # the tab in front stays in front

    def stop(self) -> None:
        self._relayout.stop()
