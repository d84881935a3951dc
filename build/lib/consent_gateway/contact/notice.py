"""The information notice (Art. 13 GDPR) and the privacy centre, generated from ``sites.yaml``.

Nothing here is written by hand per site: purposes, legal bases, retention, recipients, transfers,
vendors and cookies all come from the declaration, so the notice can never disagree with what the
gateway enforces. The fixed wording (rights, headings) is in French and English below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consent_gateway.declaration import Site, SitesConfig

LEGAL_BASES = {
    "consent": {"fr": "Votre consentement (art. 6.1.a RGPD), que vous pouvez retirer à tout moment",
                "en": "Your consent (Art. 6(1)(a) GDPR), which you may withdraw at any time"},
    "contract": {"fr": "L'exécution d'un contrat ou de mesures précontractuelles (art. 6.1.b RGPD)",
                 "en": "The performance of a contract or of pre-contractual steps (Art. 6(1)(b) GDPR)"},
    "legal_obligation": {"fr": "Le respect d'une obligation légale (art. 6.1.c RGPD)",
                         "en": "Compliance with a legal obligation (Art. 6(1)(c) GDPR)"},
    "legitimate_interest": {"fr": "Notre intérêt légitime (art. 6.1.f RGPD)",
                            "en": "Our legitimate interest (Art. 6(1)(f) GDPR)"},
}

RIGHTS = {
    "fr": [
        ("Accès", "obtenir une copie des données vous concernant et vérifier leur traitement."),
        ("Rectification", "faire corriger des données inexactes ou incomplètes."),
        ("Effacement", "faire effacer vos données lorsque rien ne justifie de les conserver."),
        ("Limitation", "faire suspendre le traitement, par exemple le temps de vérifier une contestation."),
        ("Opposition", "vous opposer, pour des raisons tenant à votre situation, à un traitement fondé "
                       "sur notre intérêt légitime."),
        ("Portabilité", "recevoir les données que vous nous avez fournies dans un format structuré."),
        ("Retrait du consentement", "retirer à tout moment un consentement donné, sans effet sur les "
                                    "traitements déjà réalisés ; les données collectées sur ce fondement "
                                    "sont alors effacées."),
        ("Directives post-mortem", "définir le sort de vos données après votre décès."),
    ],
    "en": [
        ("Access", "get a copy of the data about you and check how it is processed."),
        ("Rectification", "have inaccurate or incomplete data corrected."),
        ("Erasure", "have your data erased when nothing justifies keeping it."),
        ("Restriction", "have the processing suspended, for instance while a dispute is checked."),
        ("Objection", "object, on grounds relating to your situation, to processing based on our "
                      "legitimate interest."),
        ("Portability", "receive the data you gave us in a structured format."),
        ("Withdrawal of consent", "withdraw a consent at any time, without affecting processing "
                                  "already done; the data collected on that basis is then erased."),
        ("Post-mortem directives", "set out what happens to your data after your death."),
    ],
}

# Kinds of fields a browser collects rather than a person types.
AUTOMATIC_KINDS = ("datetime", "country", "url_list")


@dataclass(frozen=True)
class NoticePurpose:
    id: str
    label: str
    description: str
    legal_basis: str
    legal_basis_text: str
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
        "rights": RIGHTS[lang],
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
            legal_basis_text=LEGAL_BASES[purpose.legal_basis][lang],
            retention=purpose.retention.get(lang),
            consent_based=purpose.consent_based,
            fields=tuple(f.label.get(lang) for f in site.contact.fields if f.purpose == pid),
        ))
    return {"summary": site.contact.notice.get(lang), "purposes": purposes,
            **_controller(sites, site, lang)}


def privacy_centre(sites: SitesConfig, site: Site, lang: str) -> dict[str, Any]:
    """The site's cookie policy and privacy information: purposes, vendors, cookies, controller."""
    vendors = {v.name: v for v in site.vendors}
    purposes = []
    for purpose in sites.site_purposes(site):
        purposes.append({
            "id": purpose.id,
            "label": purpose.label.get(lang),
            "description": purpose.description.get(lang),
            "legal_basis_text": LEGAL_BASES[purpose.legal_basis][lang],
            "consent_based": purpose.consent_based,
            "retention": purpose.retention.get(lang),
        })
    cookies = [{
        "name": c.name,
        "provider": c.provider,
        "provider_country": vendors[c.provider].country if c.provider in vendors else "",
        "purpose": sites.purposes[c.purpose].label.get(lang),
        "duration_days": c.duration_days,
        "domain": c.domain,
    } for c in site.cookies]
    return {
        "purposes": purposes,
        "cookies": cookies,
        "vendors": [{"name": v.name, "country": v.country, "privacy_url": v.privacy_url}
                    for v in site.vendors],
        "has_contact_form": site.contact is not None,
        "consent_lifetime_days": site.consent_lifetime_days,
        **_controller(sites, site, lang),
    }
