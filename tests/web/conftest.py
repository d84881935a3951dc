"""Fixtures of the web tests: the app's declaration, a poster of decisions, a signed-in DPO."""

from __future__ import annotations

import pytest
from live_support import csrf
from rights_support import staff_token
from stats_support import Poster


@pytest.fixture
def sites(app):
    return app.extensions["gateway"].sites


@pytest.fixture
def poster(client, sites):
    return Poster(client, sites)


@pytest.fixture
def dpo(app, client):
    """The test client, signed in to the DPO's workspace with a dpo token."""
    token, _ = staff_token(app)
    page = client.get("/dpo/sign-in").get_data(as_text=True)
    assert client.post("/dpo/sign-in", data={"token": token, "csrf_token": csrf(page)}).status_code == 302
    return client
