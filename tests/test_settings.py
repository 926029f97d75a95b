"""Settings refuse to start without what production needs, in one plain line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from scorecard.settings import env_bool, env_int

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-very-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "DATABASE_URL": "postgres://scorecard:scorecard@127.0.0.1:5432/scorecard",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "scorecard.example.gov.uk",
}
# Variables the test run itself sets, which a production start-up would not have.
TEST_ONLY = ["SECURE_SSL_REDIRECT", "SECURE_COOKIES", "STATIC_MANIFEST"]

pytestmark = pytest.mark.smoke


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process with exactly the given variables on top of PATH."""
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def without(name: str) -> dict:
    return {k: v for k, v in PRODUCTION.items() if k != name}


def test_it_refuses_to_start_without_secret_key():
    result = manage("check", **without("SECRET_KEY"))
    assert result.returncode == 1
    assert result.stderr.startswith("Configuration error: SECRET_KEY is not set")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_it_refuses_to_start_without_database_url_in_production():
    result = manage("check", **without("DATABASE_URL"))
    assert result.returncode == 1
    assert "DATABASE_URL is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_refuses_a_database_url_it_cannot_use():
    result = manage("check", **{**PRODUCTION, "DATABASE_URL": "mysql://root@db/scorecard"})
    assert result.returncode == 1
    assert "DATABASE_URL must start with postgres://" in result.stderr


def test_it_refuses_to_start_without_a_broker_in_production():
    result = manage("check", **without("REDIS_URL"))
    assert result.returncode == 1
    assert "REDIS_URL is not set" in result.stderr


def test_it_refuses_a_broker_url_that_is_not_redis():
    result = manage("check", **{**PRODUCTION, "REDIS_URL": "amqp://guest@localhost//"})
    assert result.returncode == 1
    assert "REDIS_URL must start with redis://" in result.stderr


def test_it_names_a_yes_no_variable_with_a_bad_value():
    result = manage("check", **{**PRODUCTION, "DEBUG": "maybe"})
    assert result.returncode == 1
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_check_deploy_with_production_variables_reports_no_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_development_defaults_need_no_variables_at_all(tmp_path):
    result = manage("check", DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_it_reads_secrets_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("a-secret-read-from-a-file-0123456789-abcdefghijklmnopqrstuvwxyz\n")
    result = manage("check", **{**without("SECRET_KEY"), "SECRET_KEY_FILE": str(secret)})
    assert result.returncode == 0, result.stderr


def test_env_bool_accepts_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False


def test_env_int_refuses_words_and_values_out_of_range(monkeypatch):
    monkeypatch.setenv("MONTH", "April")
    with pytest.raises(ImproperlyConfigured, match="MONTH must be a whole number"):
        env_int("MONTH", 4)
    monkeypatch.setenv("MONTH", "13")
    with pytest.raises(ImproperlyConfigured, match="between 1 and 12"):
        env_int("MONTH", 4, low=1, high=12)


def test_the_fiscal_year_starts_in_april_and_the_clock_is_london(settings):
    assert settings.FISCAL_YEAR_START_MONTH == 4
    assert settings.TIME_ZONE == "Europe/London"
