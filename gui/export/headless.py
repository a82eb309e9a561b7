"""The Qt half of ``python main.py render``: an application without a window, then the
window's own export (`render_preset`)."""

from __future__ import annotations

import argparse
from typing import TextIO

from core.commands.common import one_line
from core.commands.render import UsageError, prepare_render
from core.presets import Preset


def render_headless(preset: Preset, args: argparse.Namespace, stdout: TextIO, stderr: TextIO):
    """Render ``preset`` as ``args`` say (see `core.commands.render`); 0, 1 (not written) or 2."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["slope-render"])
    from gui.export.exporter import render_preset

    try:
        path = render_preset(
            preset, args.view, args.out, args.width, args.height, args.style, args.steps, args.fps
        )
    except ValueError as exc:  # the input asked for something that cannot be drawn
        stderr.write(f"slope render: error: {one_line(exc)}\n")
        return 2
    except (OSError, RuntimeError) as exc:
        stderr.write(f"slope render: could not write {args.out}: {one_line(exc)}\n")
        return 1
    finally:
        app.processEvents()  # the off-screen views' deleteLater
    stdout.write(f"{path}\n")
    return 0


def run_render(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``main.py render``: exit status 0, 1 (could not write) or 2 (bad input, one line)."""
    try:
        preset = prepare_render(args)
    except UsageError as exc:
        stderr.write(f"slope render: error: {one_line(exc)}\n")
        return 2
    return render_headless(preset, args, stdout, stderr)
