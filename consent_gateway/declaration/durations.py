"""A number of days in words, in each language of the interface: how retention periods and
cookie lifetimes are said on receipts, notices and the banner."""

from __future__ import annotations

_DAYS_PER_YEAR = 365.25
_DAYS_PER_MONTH = _DAYS_PER_YEAR / 12
_UNITS = {
    "fr": {"year": ("an", "ans"), "month": ("mois", "mois"), "day": ("jour", "jours")},
    "en": {"year": ("year", "years"), "month": ("month", "months"), "day": ("day", "days")},
}


def duration_words(days: int) -> dict[str, str]:
    """``days`` in the largest whole unit it amounts to, by language: 1095 is "3 ans"/"3 years",
    395 is "13 mois"/"13 months", 45 is "45 jours"/"45 days" (a year is 365.25 days, a month a
    twelfth)."""
    years = round(days / _DAYS_PER_YEAR)
    months = round(days / _DAYS_PER_MONTH)
    if years and abs(days - years * _DAYS_PER_YEAR) <= 1:
        count, unit = years, "year"
    elif months and abs(days - months * _DAYS_PER_MONTH) <= 1:
        count, unit = months, "month"
    else:
        count, unit = days, "day"
    return {lang: f"{count} {words[unit][count != 1]}" for lang, words in _UNITS.items()}
