"""How the dashboard writes its figures, in the page's language: counts, rates, seconds, points.

Plain functions rather than Jinja macros: a year by day writes some four thousand figures, and a
macro call cost about ten times the work of the figure itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext
from markupsafe import Markup, escape

DASH = "—"


def _decimal(text: str, lang: str) -> str:
    return text.replace(".", ",") if lang == "fr" else text


@dataclass(frozen=True)
class Numbers:
    """The writers of one page's figures; ``None`` (a hidden or missing figure) reads as a dash."""

    lang: str

    def num(self, value: int | None) -> Markup:
        """A count, grouped by thousands; a hidden count says why it is hidden."""
        if value is None:
            title = escape(gettext("hidden: the figure would single out fewer than 5 decisions"))
            return Markup(f'<abbr title="{title}">{DASH}</abbr>')
        return Markup(escape(f"{value:,}".replace(",", " " if self.lang == "fr" else ",")))

    def pct(self, value: float | None) -> str:
        """A rate as a percentage with one decimal."""
        return DASH if value is None else _decimal(f"{value * 100:.1f}", self.lang) + " %"

    def ms(self, value: float | None) -> str:
        """Milliseconds as seconds with one decimal, a true minus sign."""
        if value is None:
            return DASH
        return _decimal(f"{value / 1000:.1f}", self.lang).replace("-", "−") + " s"

    def pts(self, value: float | None) -> str:
        """A change of rate, in signed percentage points."""
        if value is None:
            return DASH
        sign = "+" if value > 0 else ("−" if value < 0 else "±")
        return sign + _decimal(f"{abs(value * 100):.1f}", self.lang) + " pt"

    def writers(self) -> dict[str, Callable[..., str]]:
        """The template names of the writers."""
        return {"num": self.num, "pct": self.pct, "ms": self.ms, "pts": self.pts}
