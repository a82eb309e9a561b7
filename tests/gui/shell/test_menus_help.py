"""Menus, Help (Concepts, keyboard shortcuts, About), Edit → Copy picture, and themes."""

from __future__ import annotations

import re
from importlib.metadata import version

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QKeySequence, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication

from core.presets import list_presets
from gui.shell import help_dialogs, theme, window_memory
from gui.shell.main_window import MainWindow

TOPICS = ("loss", "kinds", "lr", "backprop", "vanishing", "optimizers")


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitUntil(lambda: w.grid_ready, timeout=10_000)
    yield w
    w.close()
    theme.apply_theme(QApplication.instance(), name="light")  # the next test starts light


def test_menu_bar_has_file_edit_view_presets_run_help(window) -> None:
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "Edit", "View", "Presets", "Run", "Help"]


def test_existing_actions_keep_their_shortcuts(window) -> None:
    run = window.window_actions.run
    assert run["play"].shortcut() == QKeySequence("Space")
    assert run["step"].shortcut() == QKeySequence("Right")
    assert run["reset"].shortcut() == QKeySequence("R")
    assert window.window_actions.presentation.shortcut() == QKeySequence("F11")
    assert set(window.window_actions.arrows) == {"gradient", "velocity", "update"}
    texts = {a.text(): a.shortcut() for a in window.actions()}
    assert texts["Save session…"] == QKeySequence(QKeySequence.StandardKey.Save)
    assert texts["Quit"] == QKeySequence("Ctrl+Q")
    exports = [text for text, keys in texts.items() if keys == QKeySequence("Ctrl+E")]
    assert len(exports) == 1 and exports[0].startswith("Export")


def test_view_menu_switches_the_workspace(window) -> None:
    window.space_actions[1].trigger()
    assert window.active.workspace == "network"
    assert window.space_actions[0].shortcut() == QKeySequence("Ctrl+1")
    window.space_actions[0].trigger()
    assert window.active.workspace == "descent"


def test_shortcut_list_is_made_from_the_actions(window) -> None:
    rows = dict((text, keys) for keys, text in help_dialogs.shortcut_rows(window))
    assert rows["Play / pause"] == "Space" and rows["Presentation mode"] == "F11"
    window.window_actions.run["stop"].setShortcut(QKeySequence("Ctrl+K"))
    page = help_dialogs.shortcuts_html(window)
    assert "Ctrl+K" in page and "Ctrl+." not in page
    assert "text field" in page  # Space / R / Right from any control but a text field


def test_every_concepts_topic_links_a_shipped_preset_and_a_picture() -> None:
    text = help_dialogs.concepts_html()
    names = {name for name, _, _ in list_presets()}
    sections = re.split(r'<h2><a name="', text)[1:]
    assert [section.split('"')[0] for section in sections] == list(TOPICS)
    for section in sections:
        linked = re.findall(r'href="preset:([a-z0-9-]+)"', section)
        assert linked and set(linked) <= names, section[:40]
    pictures = set(re.findall(r'<img src="([^"]+)"', text))
    shipped = {p.name for p in help_dialogs.help_folder().iterdir()}
    assert len(pictures) >= 6 and pictures <= shipped


def test_concepts_page_shows_its_pictures_and_opens_a_linked_preset(window, qtbot) -> None:
    window.window_actions.help["concepts"].trigger()
    page = window.help_page
    image = page.browser.document().resource(
        QTextDocument.ResourceType.ImageResource, QUrl("lr-sweep-rosenbrock.png")
    )
    assert not image.isNull() and image.width() == 720
    page.browser.anchorClicked.emit(QUrl("preset:saddle-escape"))
    assert window.active.workspace == "descent"
    assert window.controller.current_preset(window.descent_space.current_view({})).title == (
        "Escaping a saddle point"
    )
    page.browser.anchorClicked.emit(QUrl("preset:xor-needs-a-hidden-layer"))
    assert window.active.workspace == "network"


def test_about_names_the_package_version() -> None:
    assert f"Slope {version('slope')}" in help_dialogs.about_text()


def test_copy_picture_puts_the_main_views_slide_figure_on_the_clipboard(window, qtbot) -> None:
    window.load_preset_name("saddle-escape")
    qtbot.waitUntil(lambda: window.controller.shown is not None, timeout=10_000)
    QApplication.clipboard().clear()
    window.window_actions.edit["copy"].trigger()
    image = QApplication.clipboard().image()
    assert (image.width(), image.height()) == (1920, 1080)  # the export's figure
    assert image.pixelColor(2, 2).name() == "#ffffff"  # its light ground


def _background(view: pg.GraphicsView) -> tuple[int, int, int]:
    return view.backgroundBrush().color().getRgb()[:3]


def test_dark_theme_switches_palette_and_every_plot(window) -> None:
    window.window_actions.themes["dark"].trigger()
    app = QApplication.instance()
    assert app.palette().color(QPalette.ColorRole.Window).name() == theme.DARK.window
    plots = window.findChildren(pg.GraphicsView)
    assert plots and all(_background(v) == theme.DARK.plot_background for v in plots)
    axes = [i for v in plots for i in v.scene().items() if isinstance(i, pg.AxisItem)]
    assert axes and all(a.pen().color().getRgb()[:3] == theme.DARK.plot_foreground for a in axes)
    assert window.window_actions.themes["dark"].isChecked()
    assert not window.window_actions.themes["light"].isChecked()
    window.window_actions.themes["light"].trigger()
    assert app.palette().color(QPalette.ColorRole.Window).name() == theme.LIGHT.window
    assert all(_background(v) == theme.LIGHT.plot_background for v in plots)


def test_presentation_mode_keeps_the_theme(window) -> None:
    window_memory.set_theme(window, "dark")
    theme.apply_theme(QApplication.instance(), presentation=True)
    assert theme.current() is theme.DARK
    assert theme.DARK.window in theme.stylesheet(1.6)


def test_unknown_theme_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="theme must be one of light, dark"):
        theme.apply_theme(QApplication.instance(), name="sepia")


def _hex(rgb) -> str:
    return "#" + "".join(f"{c:02x}" for c in rgb)


def test_views_drawn_after_a_theme_switch_take_its_ink(window, qtbot) -> None:
    window.window_actions.themes["dark"].trigger()
    try:
        window.load_preset_name("sgd-vs-batch-linreg")
        qtbot.waitUntil(lambda: window.grid_ready, timeout=10_000)
        label = window.descent.landscape.colorbar.axis.labelString()
        assert _hex(theme.DARK.plot_foreground) in label  # a CSS colour, not black
        fit = window.descent.data.fit.opts["pen"].color().getRgb()[:3]
        assert fit == theme.DARK.plot_foreground
    finally:
        window.window_actions.themes["light"].trigger()
    fit = window.descent.data.fit.opts["pen"].color().getRgb()[:3]
    assert fit == theme.LIGHT.plot_foreground  # follows the switch back
