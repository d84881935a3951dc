"""From counted cells to published figures, with small-cell suppression over the whole table.

Every count a report publishes, or lets anyone work out (a rate times its denominator, a response
rate times the impressions), is a cell of one table; the sums that tie them (a row's decisions and
its kinds, a column and the totals row) are handed to ``suppression.protect``. A hidden cell is
``None`` in a row that keeps every key, so a template or a CSV writer can always show it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from consent_gateway.consent.decisions import ACTIONS
from consent_gateway.stats.rollup import MS_BUCKETS
from consent_gateway.stats.suppression import MIN_CELL, protect

_LOWER_BOUND = dict(zip(MS_BUCKETS, (0, *MS_BUCKETS), strict=False))
TOTAL = "total"


@dataclass
class Cell:
    """What the rollups say about one group of decisions (one row, or the totals)."""

    actions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    # Answered decisions (not withdrawals) by site, and for each purpose how many granted it:
    # a purpose's opt-in rate is over the decisions of the sites that ask for it.
    answered_by_site: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    granted: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    gpc: int = 0
    bots: int = 0
    impressions: int | None = None
    ms: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def decisions(self) -> int:
        return sum(self.actions.values())

    @property
    def answered(self) -> int:
        return self.decisions - self.actions["withdraw"]

    def add(self, other: Cell) -> None:
        for action, n in other.actions.items():
            self.actions[action] += n
        for mapping, more in ((self.answered_by_site, other.answered_by_site),
                              (self.granted, other.granted), (self.ms, other.ms)):
            for k, n in more.items():
                mapping[k] += n
        self.gpc += other.gpc
        self.bots += other.bots
        if other.impressions is not None:
            self.impressions = (self.impressions or 0) + other.impressions


@dataclass
class VendorCell:
    """Answered decisions that asked about a vendor, and those that granted it."""

    asked: int = 0
    granted: int = 0


def median_ms(histogram: Mapping[str, int]) -> int | None:
    """The median time to decide (ms), interpolated inside the bucket that holds it; None without
    timings."""
    count = sum(histogram.values())
    if not count:
        return None
    seen = 0
    for bucket in sorted(histogram):
        upper, n = int(bucket), histogram[bucket]
        if n and (seen + n) * 2 >= count:
            lower = _LOWER_BOUND.get(upper, 0)
            return round(lower + (upper - lower) * (count / 2 - seen) / n)
        seen += n
    return None  # pragma: no cover - the loop always reaches half of count


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class Table:
    """The cells of one report (rows and the totals) and what suppression hides of them."""

    def __init__(self, purposes: Sequence[str], asks: Mapping[str, tuple[str, ...]]):
        self.purposes = list(purposes)
        self.asks = asks  # site id -> the purposes it asks about
        self.counts: dict[tuple[str, str], int] = {}
        self.groups: list[tuple[tuple[str, str], list[tuple[str, str]]]] = []
        self.hidden: set[tuple[str, str]] = set()

    def asked(self, cell: Cell, purpose: str) -> int:
        return sum(n for sid, n in cell.answered_by_site.items() if purpose in self.asks.get(sid, ()))

    def add_cell(self, row: str, cell: Cell) -> None:
        """Register a row's counts and the sums inside the row."""
        c = self.counts
        c[row, "decisions"] = cell.decisions
        for action, n in cell.actions.items():
            c[row, action] = n
        c[row, "gpc"], c[row, "no_gpc"] = cell.gpc, cell.decisions - cell.gpc
        # The answered decisions (all but withdrawals) are published too, through the response rate
        # and "seen, no choice": they are shown only when the withdrawals are, so they need no cell.
        self.groups += [((row, "decisions"), [(row, a) for a in ACTIONS]),
                        ((row, "decisions"), [(row, "gpc"), (row, "no_gpc")])]
        for p in self.purposes:
            asked = self.asked(cell, p)
            granted = cell.granted.get(p, 0)
            c[row, f"asked:{p}"], c[row, f"granted:{p}"] = asked, granted
            c[row, f"refused:{p}"] = asked - granted
            self.groups.append(((row, f"asked:{p}"), [(row, f"granted:{p}"), (row, f"refused:{p}")]))

    def add_vendor(self, vendor: str, cell: VendorCell) -> None:
        row = f"vendor:{vendor}"
        self.counts[row, "asked"], self.counts[row, "granted"] = cell.asked, cell.granted
        self.counts[row, "refused"] = cell.asked - cell.granted
        self.groups.append(((row, "asked"), [(row, "granted"), (row, "refused")]))

    def add_columns(self, rows: Iterable[str]) -> None:
        """The rows partition the totals' decisions: each column adds up to the totals row."""
        rows = list(rows)
        measures = ["decisions", *ACTIONS, "gpc", "no_gpc",
                    *(f"{kind}:{p}" for p in self.purposes for kind in ("granted", "refused"))]
        for m in measures:
            self.groups.append(((TOTAL, m), [(r, m) for r in rows]))

    def protect(self) -> None:
        """The totals first, on their own (so they hide the same cells whatever the rows), then
        the rows against them."""
        totals = {k: n for k, n in self.counts.items() if k[0] == TOTAL}
        own = [(t, parts) for t, parts in self.groups if t[0] == TOTAL and all(p[0] == TOTAL for p in parts)]
        settled = protect(totals, own)
        self.hidden = protect(self.counts, self.groups, settled={k: k in settled for k in totals})

    def shown(self, row: str, measure: str) -> int | None:
        return None if (row, measure) in self.hidden else self.counts[row, measure]

    def figures(self, row: str, cell: Cell) -> dict[str, Any]:
        """A row's figures: every key always there, ``None`` where a cell is hidden."""
        decisions = self.shown(row, "decisions")
        withdrawals = self.shown(row, "withdraw")
        answered = decisions - withdrawals if decisions is not None and withdrawals is not None else None
        opt_in: dict[str, float | None] = {}
        for p in self.purposes:
            granted, refused = self.shown(row, f"granted:{p}"), self.shown(row, f"refused:{p}")
            opt_in[p] = (rate(granted, granted + refused)
                         if decisions is not None and granted is not None and refused is not None else None)
        gpc, no_gpc = self.shown(row, "gpc"), self.shown(row, "no_gpc")
        impressions = cell.impressions
        timed = sum(cell.ms.values())
        return {
            "decisions": decisions,
            "suppressed": decisions is None,
            "actions": {a: self.shown(row, a) if decisions is not None else None for a in ACTIONS},
            "opt_in": opt_in,
            "gpc_share": rate(gpc, gpc + no_gpc) if gpc is not None and no_gpc is not None else None,
            "impressions": impressions,
            "response_rate": (rate(answered, impressions)
                              if answered is not None and impressions else None),
            "no_choice": (max(impressions - answered, 0)
                          if answered is not None and impressions is not None else None),
            "median_ms": median_ms(cell.ms) if decisions is not None and timed >= MIN_CELL else None,
        }

    def _opt_in(self, row: str, asked_measure: str, granted: str, refused: str) -> dict[str, Any]:
        asked = self.shown(row, asked_measure)
        yes, no = self.shown(row, granted), self.shown(row, refused)
        return {"decisions": asked, "suppressed": asked is None,
                "granted": yes if asked is not None else None,
                "opt_in_rate": rate(yes, yes + no) if asked is not None and yes is not None and no is not None
                else None}

    def vendor_figures(self, vendor: str) -> dict[str, Any]:
        """A vendor's row: decisions that asked about it, those that granted it, the rate."""
        return self._opt_in(f"vendor:{vendor}", "asked", "granted", "refused")

    def purpose_figures(self, purpose: str) -> dict[str, Any]:
        """A purpose's row: the totals' cells for it (the same numbers as the totals' rate)."""
        return self._opt_in(TOTAL, f"asked:{purpose}", f"granted:{purpose}", f"refused:{purpose}")


HIDDEN_ROW_LABEL = None  # the key of the one row standing for every hidden group of an open breakdown


def hidden_row(purposes: Iterable[str]) -> dict[str, Any]:
    """The row that stands for the hidden groups of an open breakdown (countries, devices...):
    neither their keys nor how many there are is shown."""
    return {"key": HIDDEN_ROW_LABEL, "decisions": None, "suppressed": True,
            "actions": dict.fromkeys(ACTIONS), "opt_in": dict.fromkeys(purposes), "gpc_share": None,
            "impressions": None, "response_rate": None, "no_choice": None, "median_ms": None}
