"""Words for the values the stats hold as codes: countries (Babel's territory names in the page's
language), device classes, decision layers, the hidden-groups row and the dashboard's form errors."""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consent_gateway.errors import GatewayError
from consent_gateway.stats.queries import FIRST_DAY, LAST_DAY, MAX_DAYS

UNKNOWN = "?"
DEVICES = {"desktop": _l("Computer"), "mobile": _l("Mobile phone"), "tablet": _l("Tablet"),
           "other": _l("Other device")}
LAYERS = {"first": _l("First layer"), "preferences": _l("Preferences"), "close": _l("Close button"),
          "placeholder": _l("Content placeholder"), "api": _l("Site's own control")}


def country_name(code: str | None, lang: str) -> str:
    """``FR`` as "France" or "France", ``US`` as "United States" or "États-Unis"."""
    if code is None:
        return _("Other groups (hidden: too few decisions each)")
    if code == UNKNOWN:
        return _("Unknown country")
    try:
        name = Locale.parse(lang).territories.get(code.upper())
    except (UnknownLocaleError, ValueError):  # pragma: no cover - the UI languages are known
        name = None
    return str(name) if name else _("Other country")


def group_label(group: str, key: str | None, lang: str) -> str:
    """A breakdown's row key in words."""
    if group == "country":
        return country_name(key, lang)
    if key is None:
        return _("Other groups (hidden: too few decisions each)")
    if key == UNKNOWN:
        return _("Unknown")
    if group == "device":
        return str(DEVICES.get(key, _("Other device")))
    if group == "layer":
        return str(LAYERS.get(key, _("Other")))
    return key


def form_error(exc: GatewayError) -> str:
    """The dashboard's filter errors in the page's language (the API keeps its English messages)."""
    fields = {"from": _("From"), "to": _("To"), "compare_from": _("Compare from"),
              "compare_to": _("Compare to"), "site": _("Site"), "group_by": _("Per")}
    name: Any = fields.get(exc.field or "", exc.field or "")
    messages = {
        "unknown_site": _("This site is not declared."),
        "bad_date": _("%(field)s: enter a date as YYYY-MM-DD.", field=name),
        "date_out_of_range": _("%(field)s: choose a date between %(first)s and %(last)s.", field=name,
                               first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()),
        "reversed_period": _("The start of a period must not be after its end."),
        "period_too_long": _("A period is at most %(days)s days.", days=MAX_DAYS),
        "half_period": _("Give both ends of the period to compare with, or neither."),
        "unknown_group": _("Choose day, week or month."),
    }
    return messages.get(exc.code, _("These filters cannot be read: please check them."))
