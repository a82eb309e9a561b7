"""Slope: watch gradient descent and backpropagation work.

python main.py                       the window
python main.py --preset NAME ...     the window with a preset (see --help)
python main.py trace ...             descent trajectories as CSV, headless
python main.py train ...             train a small network, CSV log, headless
python main.py render ...            a figure or animation of a preset, headless
"""

from __future__ import annotations

import argparse
import os
import sys

# One BLAS thread unless the user says otherwise, set before NumPy loads: Slope's matrices
# are small, and on a 2-core machine OpenBLAS's own threads fought the run process and the
# window for the cores (an 8x64 network step took 74-82 ms wall with them, 6-12 ms without).
# The run process inherits this; the big computations that gain from two cores (the
# weight-space slice) split their work over threads themselves.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from core.commands.common import OneLineParser, non_negative_float  # noqa: E402 (after the BLAS setting)

DESCRIPTION = """\
Slope shows gradient descent and backpropagation at work: descent paths on 2-D loss
landscapes (one per learning rate or optimizer), and networks learning by backprop.

With no command, the window opens. The commands run headless and write CSV."""


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="slope", description=DESCRIPTION)
    parser.add_argument("--preset", metavar="NAME", help="open the window with this preset")
    parser.add_argument(
        "--session", metavar="FILE.json", help="open the window with a saved session"
    )
    parser.add_argument(
        "--run-for",
        type=non_negative_float,
        metavar="SECONDS",
        help="play the run for this many seconds, then (with --screenshot) save and exit",
    )
    parser.add_argument(
        "--screenshot", metavar="FILE.png", help="save a picture of the whole window and exit"
    )
    parser.add_argument("--list", action="store_true", help="list surfaces, optimizers, presets")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    from core.commands.trace import add_trace_arguments

    trace = commands.add_parser(
        "trace",
        help="descent trajectories as CSV",
        description="Run gradient descent on a 2-D surface and print the paths as CSV.",
    )
    add_trace_arguments(trace)

    from core.commands.train import add_train_arguments

    train = commands.add_parser(
        "train",
        help="train a small network, CSV log",
        description="Train a multilayer perceptron by backpropagation and log its losses as CSV.",
    )
    add_train_arguments(train)

    from core.commands.render import add_render_arguments

    render = commands.add_parser(
        "render",
        help="a figure or animation of a preset or session",
        description="Render a view of a preset's or a session's run as PNG, SVG, PDF, GIF or"
        " MP4, exactly as the window's export would, without a window.",
    )
    add_render_arguments(render)
    return parser


def list_choices() -> str:
    from core.optim.optimizers import optimizer_names
    from core.surfaces.surface import surface_names

    lines = [
        f"surfaces:   {', '.join(surface_names())}",
        f"optimizers: {', '.join(optimizer_names())}",
    ]
    from core.presets import list_presets

    for workspace, heading in (("descent", "presets:   "), ("network", "network presets:")):
        names = [name for name, _, w in list_presets() if w == workspace]
        lines.append(f"{heading} {', '.join(names)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "trace":
        from core.commands.trace import run_trace

        return run_trace(args, sys.stdout, sys.stderr)
    if args.command == "train":
        from core.commands.train import run_train

        return run_train(args, sys.stdout, sys.stderr)
    if args.command == "render":
        from gui.export.headless import run_render  # parsing in core, drawing in gui

        return run_render(args, sys.stdout, sys.stderr)
    if args.list:
        print(list_choices())
        return 0
    from gui.shell.app import run_window

    if args.preset is not None and args.session is not None:
        print("slope: give --preset or --session, not both", file=sys.stderr)
        return 2
    return run_window(
        preset=args.preset, run_for=args.run_for, screenshot=args.screenshot, session=args.session
    )


if __name__ == "__main__":
    sys.exit(main())
