"""Helpers shared by the rights tests: a request as the service records it, a staff token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from consent_gateway import contact, rights, staff
from consent_gateway.staff import StaffToken

REQUESTER = rights.RequestDetails(name="Camillette Durandal-Zéphyr", email="camille.durandal@example.fr",
                                  message="Je veux une copie de mes données.")


def submit(app, kind: str = "access", details: rights.RequestDetails = REQUESTER, *,
           token: str | None = None, now: datetime | None = None, site: str = "demo") -> rights.RightsRequest:
    gw = app.extensions["gateway"]
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        return rights.submit_request(session, gw.signer, contact.cipher_for(gw.settings.pii_keys),
                                     gw.sites.sites[site], kind, details, lang="fr", token=token, now=now)


def staff_token(app, role: str = "dpo", name: str = "Dominique DPO") -> tuple[str, StaffToken]:
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        token = staff.create_token(session, role, name)
        return token, staff.authenticate(session, token)  # type: ignore[return-value]
