"""The deployment files: compose validates, and the health check answers."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def compose_config(**env: str) -> subprocess.CompletedProcess:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is missing: bin/services installs it (Debian: docker-compose).")
    return subprocess.run(
        [binary, "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_docker_compose_file_is_valid_with_its_variables_set():
    result = compose_config(SECRET_KEY="s", POSTGRES_PASSWORD="p", ALLOWED_HOSTS="h")
    assert result.returncode == 0, result.stderr


def test_docker_compose_refuses_to_start_without_a_secret_key():
    result = compose_config(POSTGRES_PASSWORD="p", ALLOWED_HOSTS="h")
    assert result.returncode != 0
    assert "set SECRET_KEY in .env" in result.stderr


def test_the_image_copies_every_part_the_app_needs():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for part in ("scorecard/", "strategy/", "people/", "templates/", "static/", "manage.py"):
        assert f"COPY {part}" in dockerfile


@pytest.mark.smoke
@pytest.mark.django_db
def test_the_health_check_answers_without_signing_in(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"
