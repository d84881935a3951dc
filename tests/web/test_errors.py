"""One error tree: every error the gateway raises on purpose is answered in the JSON error shape."""

from __future__ import annotations

import pytest

from consent_gateway.consent import InvalidReceipt
from consent_gateway.contact.validation import FieldInvalid
from consent_gateway.errors import GatewayError


@pytest.mark.parametrize("error, body", [
    (InvalidReceipt("bad_signature"),
     {"error": "invalid_receipt", "message": "the receipt token is not valid: bad_signature",
      "field": "token"}),
    (FieldInvalid("email", "invalid_email", "is not a valid email address"),
     {"error": "invalid_email", "message": "is not a valid email address", "field": "email"}),
])
def test_receipt_and_field_errors_that_escape_a_view_are_answered_as_json(app, error, body):
    def _fail():
        raise error

    app.add_url_rule("/_test/fail", view_func=_fail)
    response = app.test_client().get("/_test/fail")
    assert (response.status_code, response.get_json()) == (400, body)


def test_receipt_and_field_errors_keep_what_callers_read():
    receipt = InvalidReceipt("malformed")
    field = FieldInvalid("phone", "invalid_phone", "is not a phone number")
    assert isinstance(receipt, GatewayError) and isinstance(field, GatewayError)
    assert receipt.reason == "malformed"
    assert (field.field, field.rule, field.message) == ("phone", "invalid_phone", "is not a phone number")
