"""The in-memory views list an entity for a credential type only while its accreditation's window
holds (projections.accreditation), as SqlTrustViews does, now and as of a time."""

from __future__ import annotations

from tests.resolver.scenario import ISSUERA3, REGISTERA3, Scenario
from tests.resolver.views import InMemoryViews, views_from_logs

CUSTOMER = "CustomerCredential"
WINDOW_END = 1_893_456_000
"""The scenario's accreditations hold [2025-01-01, 2030-01-01)."""


def _accredited(views: InMemoryViews, **query: int) -> set[str]:
    return {entry.did for entry in views.trust_list(credential_type=CUSTOMER, **query).items}


def test_as_of_a_time_the_window_decides(views: InMemoryViews) -> None:
    assert {REGISTERA3, ISSUERA3} <= _accredited(views, at_time=WINDOW_END - 1)
    assert _accredited(views, at_time=WINDOW_END) == set()


def test_now_the_window_decides(scenario: Scenario) -> None:
    inside = views_from_logs(scenario.logs)
    assert {REGISTERA3, ISSUERA3} <= _accredited(inside)
    inside.clock = lambda: WINDOW_END
    assert _accredited(inside) == set()
