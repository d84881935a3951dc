"""Synthetic decisions for demonstrations and benchmarks: realistic mixes of sites, purposes,
countries, devices, browsers, GPC, bots and seasonality, written fast.

Events are drawn from a pool of "profiles" (everything about a decision but its time), so the
rollups are computed in memory from (day, profile) counts and bulk-inserted next to the raw
events: ten million events never go through the per-decision path.
"""

from __future__ import annotations

import json
import math
import random
import secrets
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from consent_gateway.declaration import SitesConfig
from consent_gateway.stats.rollup import (
    EventFacts,
    RollupKey,
    add_impressions,
    add_rollups,
    insert_rollups,
    rollup_rows,
)

PROFILES = 2000
DAY_SECONDS = 86_400
# How long before the seed's own time its latest decision is: older than `ledger seal`'s settle time.
SETTLED = timedelta(minutes=1)
BATCH = 50_000
COUNTRIES = (("FR", 70), ("MA", 7), ("BE", 5), ("CH", 3), ("ES", 3), ("DE", 3), ("MU", 2), ("GB", 2),
             ("US", 2), (None, 3))
DEVICES = (("desktop", 55), ("mobile", 40), ("tablet", 5))
BROWSERS = (("Chrome", 55), ("Safari", 22), ("Edge", 10), ("Firefox", 9), ("Samsung Internet", 4))
ACTIONS = (("accept_all", 55), ("reject_all", 30), ("custom", 12), ("withdraw", 3))
LAYERS = {
    "accept_all": (("first", 93), ("preferences", 5), ("api", 2)),
    "reject_all": (("first", 80), ("close", 10), ("preferences", 10)),
    "custom": (("preferences", 96), ("placeholder", 4)),
    "withdraw": (("first", 50), ("preferences", 50)),
}
MEDIAN_MS = {"accept_all": 2600, "reject_all": 2900, "custom": 14000, "withdraw": 4000}
EVENT_COLUMNS = ("receipt_id", "site_id", "visitor_id", "action", "choices", "policy_version",
                 "config_hash", "lang", "gpc", "country", "browser_family", "device_class", "is_bot",
                 "ui_layer", "ui_ms", "vendors", "created_at", "expires_at")


@dataclass(frozen=True)
class Profile:
    facts: EventFacts  # day is a placeholder, set per event
    row: tuple[Any, ...]  # the event columns that do not change with time or identity
    lifetime: timedelta


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _profiles(sites: SitesConfig, rng: random.Random) -> list[Profile]:
    site_list = list(sites.sites.values())
    site_weights = [0.6 ** i for i in range(len(site_list))]
    out = []
    for _ in range(PROFILES):
        site = rng.choices(site_list, site_weights)[0]
        lang = site.languages[0] if rng.random() < 0.85 else site.languages[-1]
        shown = sites.banner_config(site, lang)
        browser = _pick(rng, BROWSERS)
        gpc = rng.random() < (0.25 if browser == "Firefox" else 0.06)
        action = _pick(rng, ACTIONS)
        choices = {}
        for purpose in sites.site_purposes(site):
            if purpose.required or not purpose.consent_based:
                choices[purpose.id] = True
            elif action == "accept_all":
                choices[purpose.id] = not (gpc and purpose.gpc_sensitive)
            elif action == "custom":
                choices[purpose.id] = rng.random() < (0.2 if purpose.gpc_sensitive else 0.55)
            else:
                choices[purpose.id] = False
        # Per-vendor choices as the banner sends them: a custom choice sometimes keeps a purpose
        # but refuses one of its vendors.
        vendors = {v.id: choices[v.purpose] and not (
                       action == "custom" and not sites.purposes[v.purpose].required and rng.random() < 0.3)
                   for v in site.vendors if sites.purposes[v.purpose].consent_based}
        layer = _pick(rng, LAYERS[action])
        ms = int(rng.lognormvariate(math.log(MEDIAN_MS[action]), 0.6))
        bot = rng.random() < 0.02
        country, device = _pick(rng, COUNTRIES), _pick(rng, DEVICES)
        facts = EventFacts(date.min, site.id, action, choices, gpc, bot, country, device, browser, layer, ms,
                           vendors)
        row = (site.id, action, json.dumps(choices, sort_keys=True, separators=(",", ":")),
               site.policy_version, shown["config_hash"], lang, gpc, country, browser, device, bot,
               layer, ms, json.dumps(vendors, sort_keys=True, separators=(",", ":")))
        out.append(Profile(facts, row, timedelta(days=site.consent_lifetime_days)))
    return out


def _day_weights(days: list[date]) -> list[float]:
    """Fewer decisions at weekends, a yearly swell, slow growth."""
    n = len(days)
    return [
        (0.6 if d.weekday() >= 5 else 1.0)
        * (1 + 0.25 * math.sin(2 * math.pi * d.timetuple().tm_yday / 365))
        * (0.8 + 0.4 * i / max(n - 1, 1))
        for i, d in enumerate(days)
    ]


class SyntheticDecisions:
    """A seeded generator of decisions over ``days`` days ending ``today``, none after ``now``.

    Today's decisions fall between midnight and ``now`` minus ``SETTLED``: a decision dated later
    today would be a time that has not happened, and ``ledger seal`` stops at the first event it
    cannot seal yet, so one of them left the rest of the seed unsealed.
    """

    def __init__(self, sites: SitesConfig, *, days: int = 365, today: date | None = None,
                 seed: int | None = None, now: datetime | None = None):
        self.sites = sites
        self.rng = random.Random(seed)
        self.profiles = _profiles(sites, self.rng)
        now = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
        today = today or now.date()
        self.days = [today - timedelta(days=days - 1 - i) for i in range(days)]
        # The seconds of each day that are in the past (the whole day but today's last hours).
        latest = now - SETTLED
        self.spans = [max(1, min(DAY_SECONDS, int((latest - datetime.combine(d, datetime.min.time()))
                                                  .total_seconds()))) for d in self.days]
        self.weights = _day_weights(self.days)
        self.counts: Counter[tuple[int, int]] = Counter()

    def batches(self, events: int, batch: int = BATCH) -> Iterator[list[tuple[Any, ...]]]:
        """Raw event rows (``EVENT_COLUMNS``, times as naive UTC text), ``batch`` at a time."""
        rng, profiles = self.rng, self.profiles
        midnight = [datetime.combine(d, datetime.min.time()) for d in self.days]
        receipt_base = secrets.randbits(60) << 64
        visitor_base = secrets.randbits(40) << 24
        done = 0
        while done < events:
            size = min(batch, events - done)
            day_idx = rng.choices(range(len(self.days)), self.weights, k=size)
            prof_idx = rng.choices(range(len(profiles)), k=size)
            rows = []
            for j in range(size):
                p = profiles[prof_idx[j]]
                at = midnight[day_idx[j]] + timedelta(seconds=rng.randrange(self.spans[day_idx[j]]))
                n = done + j
                rows.append((f"{receipt_base + n:032x}", p.row[0], f"demo_{visitor_base + n:016x}",
                             *p.row[1:], f"{at:%Y-%m-%d %H:%M:%S}", f"{at + p.lifetime:%Y-%m-%d %H:%M:%S}"))
            self.counts.update(zip(day_idx, prof_idx, strict=True))
            done += size
            yield rows

    def rollups(self) -> dict[RollupKey, list[int]]:
        """The rollup rows of every event generated so far."""
        return rollup_rows(self.sites, (
            (replace(self.profiles[p].facts, day=self.days[d]), n) for (d, p), n in self.counts.items()
        ))


    def impressions(self) -> dict[tuple[date, str], int]:
        """Showings of the first layer that would go with the decisions: most visitors answer,
        some never do (between 10 and 30 %, varying by day and site)."""
        answered: Counter[tuple[date, str]] = Counter()
        for (d, p), n in self.counts.items():
            facts = self.profiles[p].facts
            if not facts.is_bot and facts.action != "withdraw":
                answered[self.days[d], facts.site_id] += n
        return {key: round(n / self.rng.uniform(0.7, 0.9)) for key, n in answered.items()}


def insert_events(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """Bulk-insert raw event rows: COPY on PostgreSQL, one executemany on SQLite."""
    columns = ", ".join(EVENT_COLUMNS)
    dbapi = session.connection().connection
    cursor = dbapi.cursor()
    if session.get_bind().dialect.name == "postgresql":
        with cursor.copy(f"COPY consent_event ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(EVENT_COLUMNS))
        cursor.executemany(f"INSERT INTO consent_event ({columns}) VALUES ({marks})", rows)
    cursor.close()


def seed_decisions(session: Session, sites: SitesConfig, events: int, *, days: int = 365,
                   today: date | None = None, seed: int | None = None, fresh: bool = False,
                   progress: Callable[[int], None] | None = None, now: datetime | None = None) -> int:
    """Write ``events`` synthetic decisions and add them to the rollups, committing each batch.

    ``fresh`` says the rollups are empty (plain inserts instead of adding to existing rows).
    Returns the number of rollup rows written.
    """
    synthetic = SyntheticDecisions(sites, days=days, today=today, seed=seed, now=now)
    written = 0
    for rows in synthetic.batches(events):
        insert_events(session, rows)
        session.commit()
        written += len(rows)
        if progress:
            progress(written)
    rollups = synthetic.rollups()
    add_impressions(session, synthetic.impressions())
    if fresh:
        insert_rollups(session, rollups)
    else:
        for chunk in _chunks(rollups, 5000):
            add_rollups(session, chunk)
    session.commit()
    return len(rollups)


def _chunks(rows: dict[RollupKey, list[int]], size: int) -> Iterator[dict[RollupKey, list[int]]]:
    keys = list(rows)
    for start in range(0, len(keys), size):
        yield {k: rows[k] for k in keys[start:start + size]}
