"""Fixtures shared by the case tests: the people of a detachment and a registered truck."""

from __future__ import annotations

import pytest

from tests.api.review.test_procedure import Officer
from tests.api.test_registry import USCC
from tests.api.test_registry_edit import post


@pytest.fixture
def team(client, login):
    return {
        "officer": Officer(client, login("officer", username="law-officer")),
        "supervisor": Officer(client, login("supervisor", username="law-boss")),
        "investigator": Officer(client, login("investigator", username="law-investigator")),
        "admin": login("admin", username="law-admin"),
    }


@pytest.fixture
def registered(client, team):
    """A transport enterprise with its truck 吉A12345 (rated load and total mass on its licence)."""
    admin = team["admin"]
    enterprise = post(client, admin, "enterprises", {"uscc": USCC, "name": "长春顺达运输有限公司", "kind": "transport"})
    vehicle = {"plate": "吉A12345", "enterprise_uscc": USCC, "rated_load_kg": 31000, "max_total_mass_kg": 49000}
    post(client, admin, "vehicles", vehicle)
    return enterprise["id"]
