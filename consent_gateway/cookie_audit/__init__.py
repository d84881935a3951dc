"""Cookies seen on a site that its declaration does not name: reported by the banner (names only),
kept per site for the DPO, who adds them to ``sites.yaml`` or has the tag removed."""

from consent_gateway.cookie_audit.models import UndeclaredCookie
from consent_gateway.cookie_audit.reports import (
    MAX_NAMES,
    parse_names,
    record_undeclared,
    undeclared_cookies,
    undeclared_report,
)

__all__ = ["MAX_NAMES", "UndeclaredCookie", "parse_names", "record_undeclared", "undeclared_cookies",
           "undeclared_report"]
