"""Fixtures of the stats and dashboard tests: the app's declaration and a poster of decisions."""

from __future__ import annotations

import pytest
from stats_support import Poster


@pytest.fixture
def sites(app):
    return app.extensions["gateway"].sites


@pytest.fixture
def poster(client, sites):
    return Poster(client, sites)
