"""Fixtures of the export tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def run_main(capsys):
    """``run_main(argv)``: ``main.main(argv)``'s exit status, stdout and stderr."""
    import main

    def run(argv):
        try:
            code = main.main(argv)
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return run
