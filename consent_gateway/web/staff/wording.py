"""What the staff pages say about stored codes: each access-log action and each check in words,
in the page's language (the codes stay in the database and in the JSON exports)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "proof.read": _l("Exported the raw proof of a receipt"),
    "timeline.read": _l("Opened a visitor's timeline"),
    "rights_request.read": _l("Opened a rights request"),
    "rights_request.extend": _l("Extended a rights request's deadline"),
    "rights_request.close": _l("Closed a rights request"),
    "evidence.pack": _l("Exported the evidence pack"),
    "applications.list": _l("Listed the applications"),
    "applications.read": _l("Opened an application"),
    "applications.file.read": _l("Downloaded an application's file"),
    "applications.status": _l("Changed an application's status"),
    "applications.note": _l("Added a note to an application"),
    "applications.erase": _l("Erased an application"),
}
ACTION_LABELS_DEFAULT = _l("Read personal data")

DECISION_LABELS = {
    "accept_all": _l("Accepted everything"),
    "reject_all": _l("Refused everything"),
    "custom": _l("Chose purpose by purpose"),
    "withdraw": _l("Withdrew their consent"),
}
LAYER_LABELS = {
    "first": _l("on the banner's first layer"),
    "preferences": _l("in the preferences"),
    "placeholder": _l("on a blocked content's placeholder"),
    "close": _l("by closing the banner"),
    "api": _l("through the site's own controls"),
}
STATUS_LABELS = {
    "active": _l("Current"),
    "superseded": _l("Replaced by a later decision"),
    "withdrawn": _l("Withdrawn"),
    "expired": _l("Expired"),
}
CHECK_LABELS = {
    "token_signature": _l("Signature of the pasted token (this gateway's key), matching the stored decision"),
    "receipt_jws": _l("Signature of the receipt's JWS, verified with the published key %(kid)s"),
    "event_unchanged": _l("Decision unchanged since it was sealed (its digest is the sealed one)"),
    "ledger_inclusion": _l("Inclusion in ledger checkpoint #%(checkpoint)s (audit path to its signed root)"),
}
NOT_SEALED = _l("Not sealed in the ledger yet: the next “consent-gateway ledger seal” will include it")
SEARCH_ERRORS = {
    "no_request": _l("No rights request has this reference."),
    "no_receipt": _l("No receipt has this id."),
    "no_site": _l("This receipt belongs to a site that is no longer declared."),
    "token_malformed": _l("This is not a receipt token (nor a receipt id or a request reference)."),
    "token_bad_signature": _l("✗ This token's signature does not verify: this gateway did not sign it, "
                              "or it was altered."),
    "token_unknown_receipt": _l("This token is signed, but no decision of it is stored."),
    "token_mismatch": _l("✗ This token is signed, but does not match the stored decision."),
}
EXTEND_ERRORS = {
    "request_closed": _l("This request is closed."),
    "already_extended": _l("This request was already extended."),
    "extension_too_late": _l("An extension must be notified within the first month."),
    "months": _l("An extension is one or two months."),
    "notice": _l("Write the notice sent to the requester: it says why the extension is needed."),
    "outcome": _l("Choose an outcome."),
}
