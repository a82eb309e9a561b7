"""The headline never sets the window's least width, however long the preset's title."""

from __future__ import annotations

from gui.descent.panels.idea_banner import IdeaBanner


def test_a_long_title_wraps_instead_of_widening_the_banner(qtbot):
    banner = IdeaBanner()
    qtbot.addWidget(banner)
    banner.set_idea("A title " * 40, "An idea.")
    assert banner.minimumSizeHint().width() < 600
