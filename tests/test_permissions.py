"""The permission matrix: every page, every role, the status code each must get.

Later issues add their pages to MATRIX. Another unit's object answers 404, not 403.
"""

import pytest

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

ROLES = ["anonymous", "performance_team", "executive", "hr", "manager", "employee", "outsider"]
OK, LOGIN, DENIED = 200, 302, 403

# url → status for each role, in the order of ROLES.
MATRIX = {
    "/": [LOGIN, OK, OK, OK, OK, OK, OK],
    "/accessibility/": [OK, OK, OK, OK, OK, OK, OK],
    "/accounts/login/": [OK, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN],
    "/background-jobs/": [LOGIN, OK, DENIED, DENIED, DENIED, DENIED, DENIED],
    "/background-jobs/heartbeats/": [LOGIN, OK, DENIED, DENIED, DENIED, DENIED, DENIED],
    "/admin/": [LOGIN, OK, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN],
    "/healthz/": [OK, OK, OK, OK, OK, OK, OK],
    "/strategy/rollups/": [LOGIN, OK, DENIED, DENIED, DENIED, DENIED, DENIED],
    "/strategy/rollups/tables/": [LOGIN, OK, DENIED, DENIED, DENIED, DENIED, DENIED],
    "/strategy/transfer/": [LOGIN, OK, DENIED, DENIED, DENIED, DENIED, DENIED],
    "/strategy/transfer/export/": [LOGIN, OK, DENIED, DENIED, DENIED, DENIED, DENIED],
}

CASES = [
    (url, role, statuses[index])
    for url, statuses in MATRIX.items()
    for index, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("url", "role", "expected"), CASES)
def test_each_role_gets_the_expected_status(client, request, url, role, expected):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    assert client.get(url).status_code == expected


@pytest.mark.parametrize("role", ROLES[2:])
@pytest.mark.parametrize("url", ["/background-jobs/heartbeat/", "/strategy/rollups/start/"])
def test_only_the_performance_team_can_start_background_work(client, request, role, url):
    client.force_login(request.getfixturevalue(role))
    assert client.post(url).status_code == DENIED
