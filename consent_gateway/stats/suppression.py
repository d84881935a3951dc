"""Small-cell suppression: no figure lets anyone single out fewer than ``MIN_CELL`` decisions.

A cell under the threshold is hidden (primary suppression). Hiding one cell is not enough when the
total is shown, since the total minus the visible cells would give it back; so more cells are hidden
(complementary suppression, smallest first) until the hidden cells hold at least ``MIN_CELL``
decisions between at least two cells: a difference of totals then only ever reveals a sum of
several cells, never one small group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

MIN_CELL = 5


def suppressed_keys(counts: Mapping[str, int], minimum: int = MIN_CELL) -> set[str]:
    """The keys of ``counts`` to hide. Cells of zero stay visible: they describe nobody."""
    hidden = {key for key, n in counts.items() if 0 < n < minimum}
    if not hidden:
        return hidden
    visible: Sequence[str] = sorted((k for k, n in counts.items() if n > 0 and k not in hidden),
                                    key=lambda k: (counts[k], k))
    queue = list(visible)
    while queue and (sum(counts[k] for k in hidden) < minimum or len(hidden) < 2):
        hidden.add(queue.pop(0))
    return hidden


def total_is_shown(total: int, minimum: int = MIN_CELL) -> bool:
    """A total is a cell too: under the threshold (and not zero), it is hidden."""
    return total == 0 or total >= minimum
