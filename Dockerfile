# syntax=docker/dockerfile:1
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEBRIEF_ENVIRONMENT=prod \
    DEBRIEF_LOG_FORMAT=json

RUN useradd --create-home --uid 10001 debrief
WORKDIR /srv/debrief

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install -e . && chown -R debrief:debrief /srv/debrief

USER debrief
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]

# Migrations first, then the server; DEBRIEF_DATABASE_URL must point at PostgreSQL.
CMD ["sh", "-c", "debrief migrate && exec debrief serve --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY:-2}"]
