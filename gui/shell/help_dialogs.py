"""Help: the Concepts page, the keyboard shortcuts and the About box.

The Concepts text and its pictures are package data (``resources/help``), read through
importlib.resources, so an installed wheel shows the same page. A link ``preset:NAME``
opens that preset in the window. The shortcut list is made from the window's actions
when it is shown, so it cannot disagree with them.
"""

from __future__ import annotations

import html
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files

from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QKeySequence, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

PRESET_SCHEME = "preset"
# keys that RunKeys (gui/shell/run_keys.py) routes from any control but a text field
ANYWHERE_KEYS = (
    ("Space", "Play / pause"),
    ("Right", "Step"),
    ("R", "Reset"),
)


def help_folder():
    """The ``resources/help`` folder of the installed package (a Traversable)."""
    return files("resources") / "help"


def concepts_html() -> str:
    return (help_folder() / "concepts.html").read_text(encoding="utf-8")


def slope_version() -> str:
    """The version from the installed package's metadata ("unknown" when not installed)."""
    try:
        return version("slope")
    except PackageNotFoundError:
        return "unknown"


class HelpPage(QDialog):
    """A non-modal dialog with one QTextBrowser; pictures come from ``resources/help``."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)  # our links: anchors scroll, presets open
        self.browser.anchorClicked.connect(self._follow)
        self._add_pictures()
        self.browser.setHtml(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(820, 700)
        self.preset_opener = None

    def _add_pictures(self) -> None:
        document = self.browser.document()
        for entry in help_folder().iterdir():
            if entry.name.endswith(".png"):
                image = QImage.fromData(entry.read_bytes())
                document.addResource(
                    QTextDocument.ResourceType.ImageResource, QUrl(entry.name), image
                )

    def _follow(self, url: QUrl) -> None:
        if url.scheme() == PRESET_SCHEME:
            if self.preset_opener is not None:
                self.preset_opener(url.path())
        elif url.hasFragment() and not url.path():
            self.browser.scrollToAnchor(url.fragment())


def concepts_page(window) -> HelpPage:
    """Help → Concepts: each topic links to the preset that shows it, opened in ``window``."""
    page = HelpPage("Slope: concepts", concepts_html(), window)
    page.preset_opener = window.load_preset_name
    return page


def shortcut_rows(window) -> list[tuple[str, str]]:
    """(keys, command) of every action of ``window`` that has a shortcut, menu order."""
    rows = []
    for action in window.actions():
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            rows.append((keys, action.text().replace("&", "")))
    return rows


def shortcuts_html(window) -> str:
    cells = "".join(
        f"<tr><td><b>{html.escape(keys)}</b></td><td>{html.escape(text)}</td></tr>"
        for keys, text in shortcut_rows(window)
    )
    anywhere = ", ".join(f"<b>{keys}</b> ({what.lower()})" for keys, what in ANYWHERE_KEYS)
    return (
        "<h2>Keyboard shortcuts</h2>"
        f"<table cellpadding='4'>{cells}</table>"
        f"<p>{anywhere} work wherever the focus is, also in a spin box, drop-down or button; "
        "only a text field (the formula) keeps them for typing.</p>"
        "<p>Esc also leaves presentation mode.</p>"
    )


def shortcuts_page(window) -> HelpPage:
    page = HelpPage("Slope: keyboard shortcuts", shortcuts_html(window), window)
    page.resize(520, 560)
    return page


def about_text() -> str:
    return (
        f"<h3>Slope {html.escape(slope_version())}</h3>"
        "<p>Watch gradient descent and backpropagation work: descent paths crawling over "
        "2-D loss landscapes, one per learning rate or optimizer, and a small neural "
        "network whose error signals flow backward, layer by layer.</p>"
        "<p>Every number follows PyTorch's conventions and is computed with NumPy; the "
        "window is PySide6 (Qt) and pyqtgraph.</p>"
    )


def show_about(window) -> None:
    QMessageBox.about(window, "About Slope", about_text())
