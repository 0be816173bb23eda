"""Generated API calls (schemathesis) against every operation of /api/openapi.json, for two roles.

A bounded run: each operation gets a fixed number of generated requests per role, valid and invalid
data mixed, with ids, dates and months pushed to hostile values (past every integer type, the ends of
the calendar) as a prober would. The one thing asserted is what a user can always expect: no server
error (5xx). Every failing request is listed with its method, path, query and body.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core import NotSet
from schemathesis.core.result import Ok

from govcredit.accounts.services import issue_token
from govcredit.testing import City

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

#: Requests per operation and role: enough to reach the hostile values, few enough for the suite's time.
EXAMPLES = 10

HOSTILE_INT_VALUES = [0, -1, 2**31, 2**63, 10**23]
HOSTILE_DATE_VALUES = ["0001-01-01", "9999-12-31", "2026-02-30", "1-1-1"]
HOSTILE_MONTH_VALUES = ["0001-01", "9999-12", "2026-13", "0"]
HOSTILE_INTS = st.sampled_from(HOSTILE_INT_VALUES)
HOSTILE_DATES = st.sampled_from(HOSTILE_DATE_VALUES)
HOSTILE_MONTHS = st.sampled_from(HOSTILE_MONTH_VALUES)

pytestmark = [pytest.mark.probe, pytest.mark.django_db]


def _hostile(parameters: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    """The generated parameters as they are, or with each id, date and month made hostile."""
    if not parameters:
        return st.just(parameters)
    swapped: dict[str, st.SearchStrategy[Any]] = {}
    for name, value in parameters.items():
        if isinstance(value, int) and not isinstance(value, bool):
            swapped[name] = HOSTILE_INTS
        elif isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
            swapped[name] = HOSTILE_DATES
        elif isinstance(value, str) and len(value) == 7 and value[4:5] == "-":
            swapped[name] = HOSTILE_MONTHS
        else:
            swapped[name] = st.just(value)
    return st.one_of(st.just(parameters), st.fixed_dictionaries(swapped))


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> st.SearchStrategy[Any]:
    return _hostile(path_parameters)


@schema.hook
def flatmap_query(context: Any, query: dict[str, Any]) -> st.SearchStrategy[Any]:
    return _hostile(query)


def _kinds(spec: dict[str, Any]) -> set[str]:
    """The types a parameter's JSON schema allows: integer, date (format) or month (YYYY-MM pattern)."""
    options = spec.get("anyOf", [spec])
    kinds = {o.get("type", "") for o in options} | {o.get("format", "") for o in options}
    if any("\\d{2}$" in o.get("pattern", "") for o in options):
        kinds.add("month")
    return kinds


def _hostile_cases(operation: Any) -> Iterator[Any]:
    """Explicit calls, one per hostile value of each id, date and month parameter of ``operation``
    (the other path parameters set to 1), so every run tries them whatever the generator draws."""
    params = [p for p in operation.definition.raw.get("parameters", []) if p["in"] in ("path", "query")]
    base_path = {p["name"]: 1 for p in params if p["in"] == "path"}
    for param in params:
        kinds = _kinds(param.get("schema", {}))
        if "integer" in kinds or param["name"] == "page":
            values: list[Any] = HOSTILE_INT_VALUES
        elif "date" in kinds or param["name"] in ("from", "to"):
            values = HOSTILE_DATE_VALUES
        elif "month" in kinds:
            values = HOSTILE_MONTH_VALUES
        else:
            continue
        for value in values:
            if param["in"] == "path":
                yield operation.Case(path_parameters={**base_path, param["name"]: value})
            else:
                yield operation.Case(path_parameters=base_path, query={param["name"]: value})


def _shown(body: Any) -> str:
    return "" if isinstance(body, NotSet) else str(body)[:300]


class ServerError(Exception):
    """A 5xx answer; raised inside the request's savepoint so the test's transaction stays usable."""


@pytest.fixture(autouse=True)
def keep_test_connection() -> Iterator[None]:
    """The WSGI app closes the database connection around each request; in a test that connection
    holds the test's transaction, so it stays open (as Django's own test client arranges)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.parametrize("role", ["credit", "district"])
def test_generated_calls_meet_no_server_error(role: str, city: City) -> None:
    _, key = issue_token(city.users[role], "schemathesis")
    headers = {"Authorization": f"Bearer {key}"}
    failures: list[str] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE, hooks=schema.hooks),
                          operation.as_strategy(GenerationMode.NEGATIVE, hooks=schema.hooks))

        def call(case: Any) -> None:
            try:
                with transaction.atomic():
                    response = case.call(headers=headers)
                    if response.status_code >= 500:
                        raise ServerError(f"{response.status_code} {case.method} {case.formatted_path} "
                                          f"query={case.query!r} body={_shown(case.body)}")
            except ServerError as error:
                failures.append(str(error))

        for case in _hostile_cases(operation):
            call(case)
        settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                 phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))(
            given(case=cases)(call))()
    assert not failures, "\n".join(failures)
