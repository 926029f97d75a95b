# Production image: gunicorn serving Django, with static files built in and served by whitenoise.
# The same image runs the Celery worker and beat (see docker-compose.yml).

FROM node:20-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 scorecard
WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY scorecard/ scorecard/
COPY strategy/ strategy/
COPY people/ people/
RUN python -m venv /opt/venv && /opt/venv/bin/pip install -c requirements.lock -e .
ENV PATH="/opt/venv/bin:$PATH"
COPY manage.py ./
COPY templates/ templates/
COPY static/ static/
COPY bin/vendor bin/vendor
COPY --from=frontend /build/node_modules node_modules/
RUN PYTHON=/opt/venv/bin/python bin/vendor \
    && rm -rf node_modules \
    && DEBUG=true python manage.py collectstatic --no-input -v 0 \
    && chown -R scorecard /app
USER scorecard
EXPOSE 8000
CMD ["gunicorn", "scorecard.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
