"""Writing a figure to a file: PNG at its pixel size, SVG and PDF as vectors.

One painting serves every format (`DescentFigure.paint`), so a label reads the same in
each. A file is written next to its target under a hidden temporary name and renamed
over it only when complete (``os.replace``): a failed or cancelled export leaves nothing
half-written. A name without an extension gets the format's own.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtGui
from PySide6.QtSvg import QSvgGenerator

FIGURE_FORMATS = ("png", "svg", "pdf")
ANIMATION_FORMATS = ("gif", "mp4")


def target_path(path: str | os.PathLike, fmt: str | None = None) -> tuple[Path, str]:
    """``path`` with the format's extension when it has none, and that format.

    Raises ValueError naming the format when it is not one of the five known.
    """
    target = Path(path)
    suffix = target.suffix.lower().lstrip(".")
    if fmt is None:
        fmt = suffix or "png"
    known = FIGURE_FORMATS + ANIMATION_FORMATS
    if fmt not in known:
        raise ValueError(f"format must be one of {', '.join(known)}, got {fmt!r}")
    if suffix == "":
        target = target.with_name(f"{target.name}.{fmt}")
    elif suffix != fmt:
        raise ValueError(f"{target.name} is not a .{fmt} file name")
    return target, fmt


def partial_path(target: Path) -> Path:
    """The hidden temporary name ``target`` is written under (same folder, same suffix,
    so encoders that choose by extension still do)."""
    return target.with_name(f".{target.stem}.partial{target.suffix}")


def write_atomically(target: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(temporary)``, then rename the temporary file over ``target``.

    Any exception leaves no temporary file and ``target`` untouched, and is re-raised.
    """
    partial = partial_path(target)
    try:
        write(partial)
        if not partial.is_file() or partial.stat().st_size == 0:
            raise OSError(f"nothing was written to {target}")
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def write_figure(figure, path: str | os.PathLike) -> Path:
    """Write ``figure`` (a `DescentFigure`) as PNG, SVG or PDF, by ``path``'s extension.

    Returns the path written. Raises OSError when the file cannot be written, ValueError
    for a name of another format.
    """
    target, fmt = target_path(path)
    if fmt not in FIGURE_FORMATS:
        raise ValueError(f"a figure is written as {', '.join(FIGURE_FORMATS)}, not .{fmt}")
    writer = {"png": _write_png, "svg": _write_svg, "pdf": _write_pdf}[fmt]
    return write_atomically(target, lambda partial: writer(figure, partial))


def _write_png(figure, path: Path) -> None:
    if not figure.image().save(str(path), "PNG"):
        raise OSError(f"could not write {path.name} (folder missing or not writable?)")


def _paint_on(figure, device: QtGui.QPaintDevice, path: Path) -> None:
    painter = QtGui.QPainter()
    if not painter.begin(device):
        raise OSError(f"could not write {path.name} (folder missing or not writable?)")
    try:
        figure.paint(painter)
    finally:
        painter.end()


def _write_svg(figure, path: Path) -> None:
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QtCore.QSize(figure.width, figure.height))
    generator.setViewBox(QtCore.QRect(0, 0, figure.width, figure.height))
    generator.setResolution(96)
    generator.setTitle(figure.data.title)
    generator.setDescription("Made with Slope")
    _paint_on(figure, generator, path)


def _write_pdf(figure, path: Path) -> None:
    """One page exactly the figure's size, one pixel a point at 72 dpi."""
    writer = QtGui.QPdfWriter(str(path))
    writer.setResolution(72)
    size = QtGui.QPageSize(
        QtCore.QSizeF(figure.width, figure.height), QtGui.QPageSize.Unit.Point, "figure"
    )
    writer.setPageSize(size)
    writer.setPageMargins(QtCore.QMarginsF(0, 0, 0, 0))
    writer.setTitle(figure.data.title)
    writer.setCreator("Slope")
    _paint_on(figure, writer, path)
