"""``python main.py render``: a figure or an animation of a preset or a session, headless.

A descent preset draws a descent view (default: the landscape), a network preset a
network view (default: the diagram); a session draws the workspace the view belongs to
(without ``--view``, the one that was on screen).

Only argument parsing lives here (no Qt is imported at module level): the rendering is
the window's own export (`gui.export.exporter.render_preset`), so a rendered file equals
the window's export of the same run at the same size.
"""

from __future__ import annotations

import argparse
import math
import re

from core.commands.common import UsageError

DESCENT_VIEWS = ("landscape", "loss", "gradient", "final-loss")
NETWORK_VIEWS = ("diagram", "data", "curves", "gradients")
# inside the network: drawn as on screen, pictures only ("landscape" names the descent
# landscape for a descent preset, the weight-space slice for a network preset)
INSIDE_VIEWS = ("neurons", "weights", "landscape", "gradient-check")
VIEWS = tuple(dict.fromkeys(DESCENT_VIEWS + NETWORK_VIEWS + INSIDE_VIEWS))
PICTURE_FORMATS = ("png", "svg", "pdf")
STYLES = ("slide", "screen")
FORMATS = ("png", "svg", "pdf", "gif", "mp4")
MAX_SIDE = 8192
_STEPS = re.compile(r"^(\d{1,9}):(\d{1,9})$")


def add_render_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", metavar="NAME", help="a shipped preset (either workspace)")
    source.add_argument("--session", metavar="FILE", help="a saved session (.json)")
    parser.add_argument(
        "--out", required=True, metavar="FILE", help="FILE.png|svg|pdf|gif|mp4 (default .png)"
    )
    parser.add_argument(
        "--view",
        choices=VIEWS,
        metavar="NAME",
        help=(
            f"a descent view ({', '.join(DESCENT_VIEWS)}; default landscape), a network "
            f"view ({', '.join(NETWORK_VIEWS)}; default diagram) or a view inside the "
            f"network ({', '.join(INSIDE_VIEWS)}: trained, then computed as in the window; "
            "png, svg or pdf only)"
        ),
    )
    parser.add_argument("--width", type=_side, default=1920, metavar="W", help="pixels")
    parser.add_argument("--height", type=_side, default=1080, metavar="H", help="pixels")
    parser.add_argument("--style", default="slide", choices=STYLES, help="figure style")
    parser.add_argument(
        "--steps", type=parse_steps, metavar="A:B", help="step range (an animation's frames)"
    )
    parser.add_argument("--fps", type=_fps, default=30.0, metavar="N", help="frames per second")


def parse_steps(text: str) -> tuple[int, int]:
    """``"A:B"`` with whole numbers ``0 <= A <= B`` as ``(A, B)``."""
    match = _STEPS.match(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"not a step range A:B: {text!r}")
    first, last = int(match[1]), int(match[2])
    if first > last:
        raise argparse.ArgumentTypeError(f"the range must not end before it starts: {text!r}")
    return first, last


def _side(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 16 <= value <= MAX_SIDE:
        raise argparse.ArgumentTypeError(f"must be 16..{MAX_SIDE} pixels: {text!r}")
    return value


def _fps(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(value) and 1 <= value <= 60):
        raise argparse.ArgumentTypeError(f"must be 1..60: {text!r}")
    return value


def check_out(path: str) -> str:
    """The output format by ``path``'s extension (none: PNG); UsageError otherwise."""
    if not path.strip():
        raise UsageError("--out must name a file")
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name.lstrip(".") else ""
    if suffix and suffix not in FORMATS:
        raise UsageError(f"--out must end in .{', .'.join(FORMATS)} (or nothing), got {name!r}")
    return suffix or "png"


def load_source(args: argparse.Namespace):
    """The preset or session part the arguments name, and the view to draw (``args.view``
    or the workspace's main view); UsageError with the reason if none."""
    from core.presets import list_presets, load_preset
    from core.session import load_session_file

    try:
        if args.preset is not None:
            workspaces = {name: workspace for name, _, workspace in list_presets()}
            if workspaces.get(args.preset) == "network":
                return _network_preset(args.preset), _view(args.view, "network")
            return load_preset(args.preset), _view(args.view, "descent")
        session = load_session_file(args.session)
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from None
    wanted = session.workspace if args.view is None else _workspace_of(args.view, session)
    part = session.network if wanted == "network" else session.descent
    if part is None:
        raise UsageError(f"{args.session} holds no {wanted} workspace: nothing to render")
    return part, _view(args.view, wanted)


def _network_preset(name: str):
    from core.nn.presets import load_network_preset

    return load_network_preset(name)


def _workspace_of(view: str, session=None) -> str:
    """The workspace ``view`` belongs to; "landscape" is both workspaces': a session's
    is the one it was saved showing (the descent one when that part is missing)."""
    if view in DESCENT_VIEWS and view in INSIDE_VIEWS:
        shown = "descent" if session is None else session.workspace
        return "network" if shown == "network" and session.network is not None else "descent"
    return "network" if view in NETWORK_VIEWS + INSIDE_VIEWS else "descent"


def _view(view: str | None, workspace: str) -> str:
    """``view``, checked against the workspace; its main view when None."""
    if view is None:
        return "diagram" if workspace == "network" else "landscape"
    names_of = {"network": NETWORK_VIEWS + INSIDE_VIEWS, "descent": DESCENT_VIEWS}
    if view not in names_of[workspace]:
        names = ", ".join(names_of[workspace])
        raise UsageError(f"--view {view} is not a view of a {workspace} preset (one of {names})")
    return view


def is_inside_view(source, view: str) -> bool:
    """Whether ``view`` of ``source`` is a view inside the network (drawn as on screen)."""
    from core.nn.presets import NetworkPreset
    from core.session import NetworkSession

    return view in INSIDE_VIEWS and isinstance(source, NetworkPreset | NetworkSession)


def run_last_step(source) -> int:
    """The last step the source's run takes when nothing stops it."""
    from core.nn.presets import NetworkPreset
    from core.nn.train_run import steps_per_epoch
    from core.session import NetworkSession

    if isinstance(source, NetworkSession):
        source = source.preset
    if not isinstance(source, NetworkPreset):
        return source.config.steps
    config = source.config
    n_train = len(config.make_dataset().X_train)
    return config.epochs * steps_per_epoch(config, n_train)


def prepare_render(args: argparse.Namespace):
    """The checked preset (or a session's part) to render, with ``args.view`` set to the
    view to draw (UsageError with the reason for bad input).

    Only the numbers and files are checked here; drawing is the GUI's
    (`gui.export.headless.run_render`), so this module imports no Qt and no gui.
    """
    fmt = check_out(args.out)
    preset, args.view = load_source(args)
    if is_inside_view(preset, args.view) and fmt not in PICTURE_FORMATS:
        raise UsageError(f"--view {args.view} is a picture: --out must end in .png, .svg or .pdf")
    last = run_last_step(preset)
    if args.steps is not None and args.steps[0] > last:
        raise UsageError(f"--steps starts after the run's last step {last}")
    return preset
