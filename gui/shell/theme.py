"""Look of the window: one palette, one stylesheet, and a larger scale for presentations.

A light theme to match the views (gui/shell/colors.py: white plots, strong run colours),
which projects well in a lit classroom; the stylesheet only sets sizes, spacing and a
few accents on top of Qt's Fusion style so every platform looks the same.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

BASE_POINT_SIZE = 10
PRESENTATION_SCALE = 1.6

ACCENT = "#0b5cad"
ERROR = "#c62828"
WARNING = "#b34700"
MUTED = "#5b6673"
WINDOW = "#eef0f3"
PANEL = "#ffffff"
TEXT = "#1f2328"

_STYLESHEET = """
QWidget {{ font-size: {pt}pt; }}
QMainWindow, QDockWidget {{ background: {window}; }}
QGroupBox {{
    border: 1px solid #c9ced6; border-radius: 6px; margin-top: 1.2em; padding: 6px 4px 4px 4px;
    font-weight: bold;
}}
QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 4px; color: {accent}; }}
QLabel#ideaTitle {{ font-size: {title_pt}pt; font-weight: bold; color: {text}; }}
QLabel#ideaText {{ font-size: {idea_pt}pt; color: {muted}; }}
QLabel#inlineError {{ color: {error}; }}
QLabel#inlineNote {{ color: {muted}; }}
QLabel#divergence {{ color: {warning}; font-size: {idea_pt}pt; }}
QLabel#stepLabel {{ font-family: monospace; min-width: 9em; }}
QStatusBar QLabel {{ color: {muted}; padding: 0 8px; }}
QToolButton, QPushButton {{ padding: 3px 10px; }}
QSlider::groove:horizontal {{ height: 6px; background: #c9ced6; border-radius: 3px; }}
QSlider::handle:horizontal {{
    background: {accent}; width: 14px; margin: -5px 0; border-radius: 7px;
}}
QSlider::sub-page:horizontal {{ background: #7fb0e0; border-radius: 3px; }}
"""


def _palette() -> QPalette:
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: WINDOW,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f6f7f9",
        QPalette.ColorRole.ToolTipBase: "#fffbe6",
        QPalette.ColorRole.ToolTipText: "#111111",
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: "#f8f9fb",
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.Highlight: "#0b5cad",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: MUTED,
        QPalette.ColorRole.Link: ACCENT,
    }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#9aa3ad"))
    return palette


def stylesheet(scale: float = 1.0) -> str:
    """The application stylesheet with every font size multiplied by ``scale``."""
    pt = round(BASE_POINT_SIZE * scale)
    return _STYLESHEET.format(
        pt=pt,
        title_pt=round(pt * 1.5),
        idea_pt=round(pt * 1.15),
        window=WINDOW,
        accent=ACCENT,
        text=TEXT,
        muted=MUTED,
        error=ERROR,
        warning=WARNING,
    )


def apply_theme(app: QApplication, presentation: bool = False) -> None:
    """Fusion style, the dark palette and the stylesheet (scaled up for presentations)."""
    app.setStyle("Fusion")
    app.setPalette(_palette())
    font = QFont(app.font())
    scale = PRESENTATION_SCALE if presentation else 1.0
    font.setPointSizeF(BASE_POINT_SIZE * scale)
    app.setFont(font)
    app.setStyleSheet(stylesheet(scale))
