"""The journal half of `core.history.History`: keep every change, replay it on a copy.

A run in its own process keeps its `History` there; the window keeps a copy. Sending the
copy every frame that became a row costs more than the step that made it, so the original
journals what changed it instead (`Journalled.start_journal`): each row it stored (the
row's arrays, not the frame), each thinning, each pin, in order. `take_journal` hands the
journal over as a `HistoryJournal` (one array per field, however many rows) and starts an
empty one; `replay` applies it to the copy, thinning where the original thinned (thinning
is deterministic: the same rows go) and pinning the very rows it pinned, so both hold the
same buffers. Nothing here knows a frame kind either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["HistoryJournal", "Journalled"]


@dataclass(frozen=True, slots=True)
class HistoryJournal:
    """What changed a `History` between two `History.take_journal` calls, in order.

    Parameters
    ----------
    ops : tuple
        ``("store", count, pinned)`` (the next ``count`` rows of ``rows``), ``("thin",)``,
        ``("pin", rows)`` (those stored row indices pinned), as they happened.
    rows : Mapping[str, np.ndarray]
        ``steps`` and every field: the stored rows stacked, ``(count, *shape)``; empty when
        no row was stored. Without the newest frame's row when ``newest_row``.
    before : tuple
        ``(stored rows, stride, last step)`` when the journal began: a copy must be there.
    after : tuple
        ``(stored rows, stride, first step, last step, newest is a tail)`` at the take.
    newest_row : bool
        Whether the last row stored is the newest frame's: `History.replay` reads it from
        that frame, which crosses over whole anyway (an 8x64 network's weights: 270 kB).
    """

    ops: tuple
    rows: Mapping[str, np.ndarray]
    before: tuple
    after: tuple
    newest_row: bool = False

    @property
    def appended(self) -> bool:
        """Whether the history took a frame since the journal began."""
        return self.after[3] != self.before[2]

    @property
    def stored(self) -> int:
        """How many rows the history stored (some of them may be thinned away since)."""
        return sum(op[1] for op in self.ops if op[0] == "store")

    def __repr__(self) -> str:
        return f"HistoryJournal(ops={len(self.ops)}, rows={self.stored}, after={self.after})"


class Journalled:
    """`History`'s journal and replay, as a base class (`History` holds the state: stored
    rows ``_n``, ``stride``, ``_first_step``, ``_last_step``, ``_tail``, ``_newest``,
    ``_buffers``, ``_pinned``, ``capacity``, ``version``; and thins in ``_thin``).

    An original calls `_log` for each change it makes; a copy calls `replay`.
    """

    _journal: list[tuple] | None = None  # ops since the last take (None: not journalling)
    _journal_rows: list[dict[str, np.ndarray]]
    _journal_before: tuple

    def _log(self, op: tuple) -> None:
        """Journal ``op`` (a store right after a store of the same kind adds to its count)."""
        journal = self._journal
        if journal is None:
            return
        last = journal[-1] if journal else None
        if op[0] == "store" and last is not None and last[0] == "store" and last[2] == op[2]:
            journal[-1] = ("store", last[1] + op[1], op[2])
        else:
            journal.append(op)

    def start_journal(self) -> None:
        """Journal every change from now on (for `take_journal`; off by default)."""
        self._journal, self._journal_rows = [], []
        self._journal_before = (self._n, self.stride, self._last_step)

    def take_journal(self) -> HistoryJournal:
        """The changes since `start_journal` or the last take; the journal starts empty again."""
        if self._journal is None:
            raise ValueError("take_journal: no journal is kept (call start_journal first)")
        stored = self._journal_rows
        newest_row = bool(stored) and int(stored[-1]["steps"]) == self._last_step
        if newest_row:
            stored = stored[:-1]
        rows = (
            {name: np.stack([row[name] for row in stored]) for name in stored[0]} if stored else {}
        )
        after = (self._n, self.stride, self._first_step, self._last_step, self._tail is not None)
        ops, before = tuple(self._journal), self._journal_before
        self.start_journal()
        return HistoryJournal(ops, rows, before, after, newest_row)

    def replay(self, journal: HistoryJournal, newest: Any = None) -> None:
        """Apply another history's journal: this one's rows become identical to its rows.

        Parameters
        ----------
        journal : HistoryJournal
            From `take_journal` of a history with this spec and capacity, which was in this
            one's state (``journal.before``) when the journal began.
        newest : Any
            That history's `newest_frame` (its tail, when not on the grid); needed when it
            was appended since, else ignored (this one keeps its own).
        """
        carried = self._check_replay(journal, newest)
        last = self._row(newest) if journal.newest_row else None
        if journal.appended:  # set by the first append, before any row: thinning needs it
            self._first_step = journal.after[2]
        done = 0
        for op in journal.ops:
            if op[0] == "thin":
                self._thin()
            elif op[0] == "pin":
                self._pinned[list(op[1])] = True
            else:
                count = min(op[1], carried - done)
                if count:
                    done = self._put_rows(journal.rows, done, count, op[2])
                if count < op[1]:  # the newest frame's row: the last one stored
                    self._put_rows({k: v[None] for k, v in last.items()}, 0, 1, op[2])
        if (self._n, self.stride) != journal.after[:2]:  # a journal built by hand, not taken
            raise ValueError(
                f"replay: ended at {self._n} rows, stride {self.stride}; the journal's "
                f"history at {journal.after[0]} rows, stride {journal.after[1]}"
            )
        if journal.appended:
            self._last_step = journal.after[3]
            self._newest, self._tail = newest, newest if journal.after[4] else None
            self._snapshot = None
            self.version += 1

    def _check_replay(self, journal: HistoryJournal, newest: Any) -> int:
        """Raise ValueError naming what does not fit before anything changes; the number
        of rows ``journal.rows`` carries."""
        if self._journal is not None:
            raise ValueError("replay: this history keeps a journal of its own (an original)")
        here = (self._n, self.stride, self._last_step)
        if tuple(journal.before) != here:
            raise ValueError(
                f"replay: the journal begins at (rows, stride, last step) {journal.before}, "
                f"this history is at {here}"
            )
        if (journal.appended or journal.newest_row) and newest is None:
            raise ValueError("replay: newest is needed (the journal's history took frames)")
        count = journal.stored - journal.newest_row
        names = self._buffers if count > 0 else {}
        if set(journal.rows) != set(names):
            raise ValueError(f"replay: rows must hold {sorted(names)}, got {sorted(journal.rows)}")
        for name in names:
            shape = (count, *self._buffers[name].shape[1:])
            if np.shape(journal.rows[name]) != shape:
                got = np.shape(journal.rows[name])
                raise ValueError(f"replay: rows[{name!r}] must have shape {shape}, got {got}")
        return count

    def _put_rows(self, rows: Mapping[str, np.ndarray], start: int, count: int, pinned) -> int:
        """Write ``rows[start : start + count]`` at row ``n`` in one go; the new ``start``."""
        n = self._n
        if n + count > self.capacity:
            raise ValueError(f"replay: {count} rows do not fit after {n} of {self.capacity}")
        for name, buffer in self._buffers.items():
            buffer[n : n + count] = rows[name][start : start + count]
        self._pinned[n : n + count] = pinned
        self._n = n + count
        return start + count
