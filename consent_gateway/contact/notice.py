"""The information notice (Art. 13 GDPR) and the privacy centre, generated from ``sites.yaml``.

Nothing here is written by hand per site: purposes, legal bases, retention, recipients, transfers,
vendors and cookies all come from the declaration, so the notice can never disagree with what the
gateway enforces. The fixed wording (legal bases, rights, headings) is UI text: it lives in the
templates and the gettext catalogues, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consent_gateway.declaration import FIRST_PARTY, Site, SitesConfig, Vendor

# Kinds of fields a browser collects rather than a person types.
AUTOMATIC_KINDS = ("datetime", "country", "url_list")


@dataclass(frozen=True)
class NoticePurpose:
    id: str
    label: str
    description: str
    legal_basis: str
    retention: str
    consent_based: bool
    fields: tuple[str, ...]


def _controller(sites: SitesConfig, site: Site, lang: str) -> dict[str, Any]:
    c = sites.controller
    return {
        "entity": site.entity,
        "group": c.name,
        "address": c.address,
        "dpo_email": c.dpo_email,
        "dpo_address": c.dpo_address,
        "authority_name": c.authority_name,
        "authority_url": c.authority_url,
        "recipients": c.recipients.get(lang),
        "transfers": [{"country": t.country.get(lang), "safeguard": t.safeguard.get(lang)}
                      for t in c.transfers],
    }


def information_notice(sites: SitesConfig, site: Site, lang: str) -> dict[str, Any]:
    """Everything Art. 13 GDPR asks to tell a person at the point where their data is collected."""
    if site.contact is None:
        raise ValueError(f"site {site.id!r} has no contact form")
    purposes: list[NoticePurpose] = []
    for pid in dict.fromkeys(f.purpose for f in site.contact.fields):
        purpose = sites.purposes[pid]
        purposes.append(NoticePurpose(
            id=pid,
            label=purpose.label.get(lang),
            description=purpose.description.get(lang),
            legal_basis=purpose.legal_basis,
            retention=purpose.retention.get(lang),
            consent_based=purpose.consent_based,
            fields=tuple(f.label.get(lang) for f in site.contact.fields if f.purpose == pid),
        ))
    return {"summary": site.contact.notice.get(lang), "purposes": purposes,
            **_controller(sites, site, lang)}


def privacy_centre(sites: SitesConfig, site: Site, lang: str) -> dict[str, Any]:
    """The site's cookie policy and privacy information: purposes, partners, cookies, controller."""
    purposes = []
    for purpose in sites.site_purposes(site):
        purposes.append({
            "id": purpose.id,
            "label": purpose.label.get(lang),
            "description": purpose.description.get(lang),
            "legal_basis": purpose.legal_basis,
            "consent_based": purpose.consent_based,
            "retention": purpose.retention.get(lang),
            "vendors": [_partner(v, lang) for v in site.vendors if v.purpose == purpose.id],
        })
    vendors = {v.id: v for v in site.vendors}
    cookies = [{
        "name": c.name,
        "provider": c.provider,
        "provider_country": vendors[c.vendor].country_name(lang),
        "purpose": sites.purposes[c.purpose].label.get(lang),
        "duration_days": c.duration_days,
        "domain": c.domain,
        "first_party": c.domain == FIRST_PARTY,
    } for c in site.cookies]
    return {
        "purposes": purposes,
        "cookies": cookies,
        "has_contact_form": site.contact is not None,
        "consent_lifetime_days": site.consent_lifetime_days,
        **_controller(sites, site, lang),
    }


def _partner(vendor: Vendor, lang: str) -> dict[str, Any]:
    """The vendor as the banner describes it, each cookie saying whether it is the site's own."""
    described = vendor.describe(lang)
    return {**described, "cookies": [{**c, "first_party": c["domain"] == FIRST_PARTY}
                                     for c in described["cookies"]]}
