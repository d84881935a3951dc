"""The table of undeclared cookie names, one row per site and name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from consent_gateway.db import Base, UTCDateTime


class UndeclaredCookie(Base):
    """A first-party cookie name a banner found on ``site_id`` that no purpose of it declares.
    Nothing about who reported it is kept: the name, when it was first and last seen, how often."""

    __tablename__ = "undeclared_cookie"
    __table_args__ = (PrimaryKeyConstraint("site_id", "name", name="pk_undeclared_cookie"),)

    site_id: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(128))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    reports: Mapped[int] = mapped_column(Integer)
