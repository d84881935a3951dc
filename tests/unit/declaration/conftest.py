from __future__ import annotations

import pytest
from declaration_support import fixture_declaration


@pytest.fixture
def raw() -> dict:
    """The tests' sites.yaml as data, for a test to change and ``write``."""
    return fixture_declaration()
