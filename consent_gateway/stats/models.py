"""The anonymous tables behind the figures: daily decision rollups and banner impression counts.

Neither table holds a visitor id, a receipt id or a time finer than the day: they are aggregates,
kept after the retention purge has removed the raw events they were counted from.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from consent_gateway.db import Base


class ConsentDaily(Base):
    """Decisions of one day on one site, counted along one dimension at a time.

    ``dimension`` is ``all`` (no breakdown), ``country``, ``device``, ``browser``, ``layer``,
    ``ms`` (time-to-decide bucket), ``time`` (the same buckets, known timings only, ``action``
    left empty: the compact histogram the medians read) or ``vendor``; ``value`` is that
    dimension's value (``""`` for ``all``). A ``vendor`` row counts the answered decisions that
    asked about that vendor (``decisions``) and those that granted it (``granted``).
    A row with ``purpose == ""`` counts decisions; a row naming a purpose counts the decisions
    (other than withdrawals) that granted it. Bots are counted in ``bots`` and nowhere else.
    The key starts with the dimension and the day: a period's query is one range scan.
    """

    __tablename__ = "consent_daily"

    dimension: Mapped[str] = mapped_column(String(10), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(50), primary_key=True)
    action: Mapped[str] = mapped_column(String(16), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40), primary_key=True)
    decisions: Mapped[int] = mapped_column(Integer, default=0)
    granted: Mapped[int] = mapped_column(Integer, default=0)
    gpc: Mapped[int] = mapped_column(Integer, default=0)
    bots: Mapped[int] = mapped_column(Integer, default=0)


class ConsentMonthly(Base):
    """``consent_daily`` added up by calendar month (``day`` is the month's first day): same key,
    same measures, so a month row is exactly the sum of its day rows.

    A long period reads its whole months here and only the days at its ends in ``consent_daily``:
    a year is some twelve rows per key instead of 365, and the table stays bounded by months x
    sites x dimensions, never by traffic. Kept by the same writes as ``consent_daily`` (the live
    catch-up, the rebuild, the demo seeder).
    """

    __tablename__ = "consent_monthly"

    dimension: Mapped[str] = mapped_column(String(10), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(50), primary_key=True)
    action: Mapped[str] = mapped_column(String(16), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40), primary_key=True)
    decisions: Mapped[int] = mapped_column(Integer, default=0)
    granted: Mapped[int] = mapped_column(Integer, default=0)
    gpc: Mapped[int] = mapped_column(Integer, default=0)
    bots: Mapped[int] = mapped_column(Integer, default=0)


class BannerImpressionDaily(Base):
    """How many times the first layer was shown on a site on a day; nothing else is known."""

    __tablename__ = "banner_impression_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    impressions: Mapped[int] = mapped_column(Integer, default=0)


class StatsBacklog(Base):
    """Decisions recorded but not yet added to the rollups, by receipt id.

    A decision's transaction adds its row here (one short INSERT) instead of updating some twenty
    rollup rows; ``catch_up`` folds the backlog into the rollups before any figure is read, so the
    figures stay exact. The row goes when it is counted: the table holds only the backlog.
    """

    __tablename__ = "stats_backlog"

    receipt_id: Mapped[str] = mapped_column(String(32), primary_key=True)
