"""Staff credentials limited by what fails (issue 23, finding 6): wrong bearer tokens and sign-ins
slow down per address and per token prefix (429 with Retry-After), and a correct token is never
refused because others failed from the same address."""

from __future__ import annotations

import re
import secrets

import pytest

from consent_gateway.staff import create_token

URL = "/api/v1/sites/demo/undeclared-cookies"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _guess() -> str:
    return "iqcg_" + secrets.token_urlsafe(32)


@pytest.fixture
def app(make_app):
    app = make_app()
    app.config["FAILED_CREDENTIALS"] = "5/minute"
    return app


@pytest.fixture
def dpo(db_session):
    return create_token(db_session, "dpo", "Dominique DPO")


def _from(address: str) -> dict[str, dict[str, str]]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_wrong_bearer_tokens_get_a_429_and_the_correct_one_still_passes(client, dpo):
    statuses = [client.get(URL, headers=_bearer(_guess()), **_from("198.51.100.7")).status_code
                for _ in range(8)]
    assert statuses == [401] * 5 + [429] * 3
    refused = client.get(URL, headers=_bearer(_guess()), **_from("198.51.100.7"))
    assert refused.get_json()["error"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert client.get(URL, headers=_bearer(dpo), **_from("198.51.100.7")).status_code == 200
    assert client.get(URL, headers=_bearer(_guess()), **_from("198.51.100.8")).status_code == 401, \
        "another address has its own count"


def test_guesses_of_one_prefix_slow_down_from_any_address(client, dpo):
    prefix = dpo[:13]
    statuses = [client.get(URL, headers=_bearer(prefix + secrets.token_urlsafe(30)),
                           **_from(f"203.0.113.{i}")).status_code for i in range(1, 8)]
    assert statuses == [401] * 5 + [429] * 2
    assert client.get(URL, headers=_bearer(dpo), **_from("203.0.113.99")).status_code == 200


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("area", ["/dpo", "/dashboard"])
def test_failed_sign_ins_slow_down_and_the_dpo_still_signs_in(app, dpo, area):
    neighbour, the_dpo = app.test_client(), app.test_client()
    page = neighbour.get(f"{area}/sign-in?lang=fr", **_from("192.0.2.10")).get_data(as_text=True)
    statuses = []
    for _ in range(7):
        r = neighbour.post(f"{area}/sign-in?lang=fr", data={"csrf_token": _csrf(page), "token": _guess()},
                           **_from("192.0.2.10"))
        statuses.append(r.status_code)
    assert statuses == [401] * 5 + [429] * 2
    assert int(r.headers["Retry-After"]) >= 1
    assert "Trop de connexions échouées" in r.get_data(as_text=True) and r.mimetype == "text/html"
    page = the_dpo.get(f"{area}/sign-in", **_from("192.0.2.10")).get_data(as_text=True)
    signed = the_dpo.post(f"{area}/sign-in", data={"csrf_token": _csrf(page), "token": dpo},
                          **_from("192.0.2.10"))
    assert signed.status_code == 302, "the DPO behind the same NAT is not locked out"
