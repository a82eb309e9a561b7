"""The window and its run process use one BLAS thread unless the user asked otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gui.shell.run_process import BLAS_THREADS, child_environment

ROOT = Path(__file__).resolve().parents[3]


def test_the_run_process_gets_one_blas_thread_by_default(monkeypatch):
    for name in BLAS_THREADS:
        monkeypatch.delenv(name, raising=False)
    env = child_environment()
    assert all(env[name] == "1" for name in BLAS_THREADS)
    assert env["PATH"] == os.environ["PATH"]  # the rest of the environment is kept


def test_a_users_blas_setting_is_kept(monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    assert child_environment()["OPENBLAS_NUM_THREADS"] == "2"


def test_main_sets_one_blas_thread_before_numpy_loads():
    code = "import sys, main, os; print(os.environ['OPENBLAS_NUM_THREADS'], 'numpy' in sys.modules)"
    env = {k: v for k, v in os.environ.items() if k not in BLAS_THREADS}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["1", "False"]  # set, and NumPy not loaded by then
