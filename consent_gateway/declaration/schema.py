"""Validation of the raw ``sites.yaml`` tree into the declaration model.

The tree is validated by the pydantic models of ``document.py`` (each key's type and value) and by
``rules.py`` (what keys mean for each other); every problem of both is reported at once, each with
its key path (``problems.py``), as ``file: key.path: problem``. A valid document is then built
into the frozen dataclasses of ``model.py``, which the rest of the code reads.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from consent_gateway.declaration import document as doc
from consent_gateway.declaration.model import (
    ContactField,
    ContactForm,
    Controller,
    Purpose,
    Site,
    SitesConfig,
    Text,
    Transfer,
    Vendor,
    VendorCookie,
    WithdrawCall,
)
from consent_gateway.declaration.problems import describe
from consent_gateway.declaration.rules import check_rules
from consent_gateway.errors import ConfigurationError


def parse_sites(path: Path, raw: Any) -> SitesConfig:
    """The declaration of ``raw`` (read from ``path``), or a ConfigurationError listing every
    problem, one ``path: key.path: problem`` line each."""
    problems: list[str] = []
    document: doc.SitesDocument | None = None
    try:
        document = doc.SitesDocument.model_validate(raw)
    except ValidationError as exc:
        problems += describe(exc)
    problems += [p for p in check_rules(raw) if p not in problems]
    if problems or document is None:
        raise ConfigurationError(f"{path} is not valid:\n" + "\n".join(f"{path}: {p}" for p in problems))
    return build(path, document)


def build(path: Path, document: doc.SitesDocument) -> SitesConfig:
    """The model the code reads, from a document that passed every check."""
    purposes = {pid: _purpose(pid, item) for pid, item in document.purposes.items()}
    catalogue = {vid: _vendor(vid, item) for vid, item in document.vendors.items()}
    return SitesConfig(
        path=path,
        controller=_controller(document.controller),
        purposes=purposes,
        texts={"fr": dict(document.texts.fr), "en": dict(document.texts.en)},
        sites={sid: _site(sid, item, catalogue) for sid, item in document.sites.items()},
        consent_events_retention_days=document.consent_events.retention_days,
        to_confirm=tuple(document.to_confirm),
    )


def _text(text: doc.Text) -> Text:
    return Text(fr=text.fr, en=text.en)


def _optional_text(text: doc.Text | None) -> Text | None:
    return _text(text) if text is not None else None


def _controller(item: doc.ControllerDoc) -> Controller:
    return Controller(
        name=item.name,
        country=item.country,
        address=item.address,
        dpo_name=item.dpo.name,
        dpo_email=item.dpo.email,
        dpo_address=item.dpo.address,
        authority_name=item.authority.name,
        authority_url=item.authority.url,
        transfers=tuple(Transfer(_text(t.country), _text(t.safeguard)) for t in item.transfers),
        recipients=_text(item.recipients),
    )


def _purpose(pid: str, item: doc.PurposeDoc) -> Purpose:
    return Purpose(
        id=pid,
        label=_text(item.label),
        description=_text(item.description),
        legal_basis=item.legal_basis,
        required=item.required,
        gpc_sensitive=item.gpc_sensitive,
        gcm=tuple(item.gcm),
        trackers=item.trackers,
        retention_days=item.retention_days,
        pii_categories=tuple(item.pii_categories),
        retention_note=_optional_text(item.retention_note),
    )


def _vendor(vid: str, item: doc.VendorDoc) -> Vendor:
    return Vendor(
        id=vid,
        name=item.name,
        provider=item.provider,
        purpose=item.purpose,
        country=item.country,
        privacy_url=item.privacy_url,
        transfer=_optional_text(item.transfer),
        cookies=tuple(VendorCookie(c.name, c.domain, c.duration_days) for c in item.cookies),
        on_withdraw=tuple(WithdrawCall(w.call, tuple(w.args)) for w in item.on_withdraw),
        first_party=item.first_party,
    )


def _site(sid: str, item: doc.SiteDoc, catalogue: dict[str, Vendor]) -> Site:
    vendors = []
    for ref in item.vendors:
        vid, purpose = (ref, None) if isinstance(ref, str) else (ref.id, ref.purpose)
        vendor = catalogue[vid]
        vendors.append(dataclasses.replace(vendor, purpose=purpose or vendor.purpose))
    return Site(
        id=sid,
        name=item.name,
        entity=item.entity,
        origins=tuple(item.origins),
        languages=tuple(item.languages),
        policy_url=item.policy_url,
        cookie_policy_url=item.cookie_policy_url,
        policy_version=item.policy_version,
        consent_lifetime_days=item.consent_lifetime_days,
        purpose_ids=tuple(item.purposes),
        vendors=tuple(vendors),
        contact=_contact(item.contact) if item.contact is not None else None,
        reload_on_withdraw=item.reload_on_withdraw,
        demo_tags={tag: pid for tag, pid in item.demo_tags.model_dump().items() if pid is not None},
    )


def _contact(item: doc.ContactDoc) -> ContactForm:
    return ContactForm(
        fields=tuple(ContactField(
            name=f.name,
            purpose=f.purpose,
            required=f.required,
            kind=f.kind,
            label=_text(f.label),
            pattern=f.pattern,
            max_length=f.max_length,
            hint=_optional_text(f.hint),
            autocomplete=f.autocomplete,
            accept=tuple(f.accept or ()),
            max_bytes=(f.max_size_kb or 0) * 1024,
        ) for f in item.fields),
        notice=_text(item.notice),
    )
