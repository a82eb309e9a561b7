"""Look of the window: a light and a dark theme, and a larger scale for presentations.

The light theme matches the views (gui/shell/colors.py: white plots, strong run colours)
and projects well in a lit classroom; the dark one rests the eyes in a dim room. A theme
is the Qt palette, a stylesheet (sizes, spacing, a few accents on top of Qt's Fusion
style, so every platform looks the same) and the plots' background and foreground.

`set_theme` switches everything at once: the application's palette and stylesheet, and
every pyqtgraph plot under a window (`style_plots`). Views that draw titles or labels
later ask `plot_colors()` for the current foreground. The export's slide style is not a
theme: it has its own colours, whatever is on screen.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget

BASE_POINT_SIZE = 10
PRESENTATION_SCALE = 1.6


@dataclass(frozen=True, slots=True)
class Theme:
    """One look: window colours (hex) and the plots' background and foreground (RGB)."""

    name: str
    window: str
    panel: str
    alternate: str
    button: str
    text: str
    muted: str
    disabled: str
    border: str
    accent: str
    accent_soft: str
    highlight_text: str
    tooltip: str
    tooltip_text: str
    error: str
    warning: str
    plot_background: tuple[int, int, int]
    plot_foreground: tuple[int, int, int]


LIGHT = Theme(
    "light", "#eef0f3", "#ffffff", "#f6f7f9", "#f8f9fb", "#1f2328", "#5b6673", "#9aa3ad",
    "#c9ced6", "#0b5cad", "#7fb0e0", "#ffffff", "#fffbe6", "#111111", "#c62828", "#b34700",
    (255, 255, 255), (40, 40, 48),
)  # fmt: skip
DARK = Theme(
    "dark", "#1f2328", "#16191d", "#262b31", "#2b3138", "#e6e8eb", "#a3adb8", "#66707a",
    "#3d444d", "#4c9be8", "#2f5f8f", "#0d1117", "#2b3138", "#e6e8eb", "#ff6b6b", "#f0a050",
    (22, 25, 29), (222, 225, 230),
)  # fmt: skip
THEMES = {theme.name: theme for theme in (LIGHT, DARK)}

# names the rest of the window reads (light values: the status bar's error colour is
# taken when a message is shown, through `current()` in new code)
ACCENT, ERROR, WARNING, MUTED = LIGHT.accent, LIGHT.error, LIGHT.warning, LIGHT.muted
WINDOW, PANEL, TEXT = LIGHT.window, LIGHT.panel, LIGHT.text

_current = {"theme": LIGHT, "scale": 1.0}

_STYLESHEET = """
QWidget {{ font-size: {pt}pt; }}
QMainWindow, QDockWidget {{ background: {t.window}; }}
QGroupBox {{
    border: 1px solid {t.border}; border-radius: 6px; margin-top: 1.2em;
    padding: 6px 4px 4px 4px; font-weight: bold;
}}
QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 4px; color: {t.accent}; }}
QLabel#ideaTitle {{ font-size: {title_pt}pt; font-weight: bold; color: {t.text}; }}
QLabel#ideaText {{ font-size: {idea_pt}pt; color: {t.muted}; }}
QLabel#inlineError {{ color: {t.error}; }}
QLabel#inlineNote {{ color: {t.muted}; }}
QLabel#divergence {{ color: {t.warning}; font-size: {idea_pt}pt; }}
QLabel#stepLabel {{ font-family: monospace; min-width: 9em; }}
QStatusBar QLabel {{ color: {t.muted}; padding: 0 8px; }}
QToolButton, QPushButton {{ padding: 3px 10px; }}
QSlider::groove:horizontal {{ height: 6px; background: {t.border}; border-radius: 3px; }}
QSlider::handle:horizontal {{
    background: {t.accent}; width: 14px; margin: -5px 0; border-radius: 7px;
}}
QSlider::sub-page:horizontal {{ background: {t.accent_soft}; border-radius: 3px; }}
"""


def current() -> Theme:
    """The theme on screen."""
    return _current["theme"]


@dataclass(frozen=True, slots=True)
class PlotColors:
    background: tuple[int, int, int]
    foreground: tuple[int, int, int]


def plot_colors() -> PlotColors:
    """Background and foreground (axes, titles, labels) for plots in the current theme."""
    theme = current()
    return PlotColors(theme.plot_background, theme.plot_foreground)


def palette(theme: Theme) -> QPalette:
    """The Qt palette of ``theme``."""
    result = QPalette()
    role = QPalette.ColorRole
    colors = {
        role.Window: theme.window,
        role.WindowText: theme.text,
        role.Base: theme.panel,
        role.AlternateBase: theme.alternate,
        role.ToolTipBase: theme.tooltip,
        role.ToolTipText: theme.tooltip_text,
        role.Text: theme.text,
        role.Button: theme.button,
        role.ButtonText: theme.text,
        role.Highlight: theme.accent,
        role.HighlightedText: theme.highlight_text,
        role.PlaceholderText: theme.muted,
        role.Link: theme.accent,
        role.BrightText: theme.error,
    }
    for key, color in colors.items():
        result.setColor(key, QColor(color))
    for key in (role.Text, role.ButtonText, role.WindowText):
        result.setColor(QPalette.ColorGroup.Disabled, key, QColor(theme.disabled))
    return result


def stylesheet(scale: float = 1.0, theme: Theme | None = None) -> str:
    """The application stylesheet with every font size multiplied by ``scale``."""
    pt = round(BASE_POINT_SIZE * scale)
    return _STYLESHEET.format(
        pt=pt, title_pt=round(pt * 1.5), idea_pt=round(pt * 1.15), t=theme or current()
    )


def apply_theme(app: QApplication, presentation: bool = False, name: str | None = None) -> None:
    """Fusion style, the palette of theme ``name`` (default: the current one) and the
    stylesheet, scaled up for presentations."""
    if name is not None:
        if name not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {name!r}")
        _current["theme"] = THEMES[name]
    theme = current()
    app.setStyle("Fusion")
    app.setPalette(palette(theme))
    font = QFont(app.font())
    scale = PRESENTATION_SCALE if presentation else 1.0
    _current["scale"] = scale
    font.setPointSizeF(BASE_POINT_SIZE * scale)
    app.setFont(font)
    app.setStyleSheet(stylesheet(scale, theme))
    pg.setConfigOptions(background=theme.plot_background, foreground=theme.plot_foreground)


def style_plots(root: QWidget) -> int:
    """Give every pyqtgraph plot under ``root`` the current theme's background, axes and
    labels (also the 3-D view's background); returns how many views were styled."""
    colors = plot_colors()
    pen = pg.mkPen(colors.foreground)
    views = root.findChildren(pg.GraphicsView)
    for view in views:
        view.setBackground(colors.background)
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                item.setPen(pen)
                item.setTextPen(pen)
            elif isinstance(item, pg.LabelItem) and item.text and not _in_legend(item):
                item.setText(item.text, color=colors.foreground)
    opengl = sys.modules.get("pyqtgraph.opengl")  # only if the 3-D view was ever made
    gl_views = root.findChildren(opengl.GLViewWidget) if opengl is not None else []
    for view in gl_views:
        view.setBackgroundColor(colors.background)
    return len(views) + len(gl_views)


def _in_legend(item) -> bool:
    """Legends keep their own box and text colours (a pale box in either theme)."""
    parent = item.parentItem()
    while parent is not None:
        if isinstance(parent, pg.LegendItem):
            return True
        parent = parent.parentItem()
    return False


def set_theme(window: QWidget, name: str) -> None:
    """Switch the whole application to theme ``name`` and restyle ``window``'s plots."""
    app = QApplication.instance()
    apply_theme(app, presentation=_current["scale"] != 1.0, name=name)
    style_plots(window)
