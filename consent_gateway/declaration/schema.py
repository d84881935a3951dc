"""Validation of the raw ``sites.yaml`` tree into the declaration model.

The tree is validated by the pydantic models of ``document.py`` (each key's type and value) and by
``rules.py`` (what keys mean for each other); every problem of both is reported at once, each with
its key path (``problems.py``), as ``file: key.path: problem``. A valid document is then built
into the frozen dataclasses of ``model.py``, which the rest of the code reads.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from consent_gateway.declaration import document as doc
from consent_gateway.declaration.model import (
    ContactField,
    ContactForm,
    Controller,
    Purpose,
    Site,
    SitesConfig,
    Text,
    TextList,
    Transfer,
    Vendor,
    VendorCookie,
    WithdrawCall,
)
from consent_gateway.declaration.problems import describe
from consent_gateway.declaration.rules import check_rules
from consent_gateway.errors import ConfigurationError

T = TypeVar("T")


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
        vendors=catalogue,
    )


def _carry(cls: type[T], item: BaseModel, **given: Any) -> T:
    """``cls`` built from ``item``: each of its attributes that the document has under the same
    name, as the document holds it (a text as ``Text``, a list as a tuple), and ``given`` for those
    named or shaped otherwise. A key added to a model and to its dataclass needs nothing here."""
    values = {f.name: given[f.name] if f.name in given else _value(getattr(item, f.name))
              for f in dataclasses.fields(cls)  # type: ignore[arg-type]
              if f.name in given or f.name in type(item).model_fields}
    return cls(**values)


def _value(value: Any) -> Any:
    if isinstance(value, doc.Text):
        return Text(fr=value.fr, en=value.en)
    if isinstance(value, list):
        return tuple(_value(v) for v in value)
    return value


def _controller(item: doc.ControllerDoc) -> Controller:
    return _carry(
        Controller, item,
        dpo_name=item.dpo.name, dpo_email=item.dpo.email, dpo_address=item.dpo.address,
        authority_name=item.authority.name, authority_url=item.authority.url,
        transfers=tuple(_carry(Transfer, t) for t in item.transfers),
    )


def _purpose(pid: str, item: doc.PurposeDoc) -> Purpose:
    pii = item.pii_categories
    return _carry(Purpose, item, id=pid, pii_categories=TextList(fr=tuple(pii.fr), en=tuple(pii.en)))


def _vendor(vid: str, item: doc.VendorDoc) -> Vendor:
    return _carry(
        Vendor, item, id=vid,
        cookies=tuple(_carry(VendorCookie, c) for c in item.cookies),
        on_withdraw=tuple(WithdrawCall(w.call, tuple(w.args)) for w in item.on_withdraw),
    )


def _site(sid: str, item: doc.SiteDoc, catalogue: dict[str, Vendor]) -> Site:
    vendors = []
    for ref in item.vendors:
        vid, purpose = (ref, None) if isinstance(ref, str) else (ref.id, ref.purpose)
        vendor = catalogue[vid]
        vendors.append(dataclasses.replace(vendor, purpose=purpose or vendor.purpose))
    return _carry(
        Site, item, id=sid, purpose_ids=tuple(item.purposes), vendors=tuple(vendors),
        contact=_contact(item.contact) if item.contact is not None else None,
        demo_tags={tag: pid for tag, pid in item.demo_tags.model_dump().items() if pid is not None},
        scan_pages=tuple(item.scan.pages) if item.scan is not None
        else tuple(f"{origin.rstrip('/')}/" for origin in item.origins),
    )


def _contact(item: doc.ContactDoc) -> ContactForm:
    fields = tuple(_carry(ContactField, f, accept=tuple(f.accept or ()),
                          max_bytes=(f.max_size_kb or 0) * 1024) for f in item.fields)
    return ContactForm(fields=fields, notice=_value(item.notice))
