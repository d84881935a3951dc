"""Small-cell suppression: no figure lets anyone single out fewer than ``MIN_CELL`` decisions.

A cell under the threshold is hidden (primary suppression). Hiding one cell is not enough when the
total is shown, since the total minus the visible cells would give it back; so more cells are hidden
(complementary suppression, smallest first) until the hidden cells hold at least ``MIN_CELL``
decisions between at least two cells: a difference of totals then only ever reveals a sum of
several cells, never one small group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

MIN_CELL = 5
K = TypeVar("K")


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


def protect(counts: Mapping[K, int], groups: Iterable[tuple[K, Sequence[K]]],
            minimum: int = MIN_CELL, settled: Mapping[K, bool] | None = None) -> set[K]:
    """The cells of a table to hide, given every published count and every sum that ties them.

    ``groups`` lists (total, parts): cells whose ``parts`` add up to ``total`` (a row's decisions
    and its actions, a column and the totals row). A cell under ``minimum`` is hidden (primary
    suppression); then, until nothing changes, each group whose total is visible gets enough
    hidden parts that the difference gives back no single cell nor fewer than ``minimum``
    decisions (complementary suppression, smallest first); a hidden total hides its parts. The
    rule is checked per sum, as marketing reads one table at a time; zero cells describe nobody.

    ``settled`` cells (key -> hidden?) were decided before and do not change: the totals of a
    period hide the same cells whatever the breakdown, so two breakdowns never tell them apart.
    """
    settled = settled or {}
    hidden = {key for key, n in counts.items() if (0 < n < minimum and key not in settled)}
    hidden |= {key for key, secret in settled.items() if secret}
    # Cells a sum would give back whatever is hidden (the only hidden part of a settled total):
    # hiding them protects nothing, so they are shown and their row finds another complement.
    exposed: set[K] = set()
    frozen = [(total, [p for p in parts if counts[p] > 0]) for total, parts in groups]

    def free(p: K) -> bool:
        return p not in hidden and p not in settled and p not in exposed

    changed = True
    while changed:
        changed = False
        for total, parts in frozen:
            if total in hidden:
                missing = [p for p in parts if free(p)]
                if missing:
                    hidden.update(missing)
                    changed = True
                continue
            while True:
                secret = [p for p in parts if p in hidden]
                if not secret or (len(secret) >= 2 and sum(counts[p] for p in secret) >= minimum):
                    break
                candidates = [p for p in parts if free(p)]
                if candidates:
                    hidden.add(min(candidates, key=lambda p: (counts[p], str(p))))
                    changed = True
                    continue
                if total not in settled and total not in exposed:
                    hidden.add(total)
                    changed = True
                elif len(secret) == 1 and counts[secret[0]] >= minimum:
                    hidden.discard(secret[0])
                    exposed.add(secret[0])
                    changed = True
                break
    return hidden
