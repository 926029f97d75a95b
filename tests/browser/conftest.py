"""Chromium through Playwright against the live test server, with an axe-core audit."""

import os
from pathlib import Path

import pytest

from tests.factories import PASSWORD

AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(path).exists():
        pytest.fail(f"Chromium is missing at {path}: run bin/services, or set CHROMIUM_PATH.")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe is injected as an inline script, which our own content security policy forbids.
    return {**browser_context_args, "bypass_csp": True, "locale": "en-GB"}


@pytest.fixture
def site(live_server, page):
    """The page, with a helper to open a path on the live server."""
    page.set_default_timeout(10_000)

    def go(path: str):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        return response

    page.go = go
    return page


@pytest.fixture
def sign_in(site):
    """Sign in through the real login form, as a person would."""

    def sign_in_as(user):
        site.go("/accounts/login/")
        site.get_by_label("Username").fill(user.username)
        site.get_by_label("Password").fill(PASSWORD)
        site.get_by_role("button", name="Sign in").click()
        site.wait_for_url("**/")
        return site

    return sign_in_as


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return "\n".join(lines)


@pytest.fixture
def axe_audit():
    """Run axe-core on the current page; fail on any WCAG 2.2 A/AA violation."""
    if not AXE_PATH.exists():
        pytest.fail(f"axe-core is missing at {AXE_PATH}: run bin/setup (npm ci).")

    def audit(page):
        page.add_script_tag(path=str(AXE_PATH))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        violations = result["violations"]
        assert not violations, f"axe found problems on {page.url}:\n{_describe(violations)}"
        return result

    return audit
