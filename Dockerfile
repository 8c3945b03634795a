# syntax=docker/dockerfile:1
# mentorbot: one image for every process (front-ends, worker, migrations).
#   docker build -t mentorbot .
#   docker run --rm -e DATABASE_URL=... -e MENTORBOT_TELEGRAM_TOKEN=... mentorbot telegram
# See compose.yaml for PostgreSQL, a front-end and a worker together.

# ---------------------------------------------------------------- build stage
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/mentorbot/.venv
ENV PATH=/opt/mentorbot/.venv/bin:$PATH

WORKDIR /src
# What the package is built from (pyproject.toml: setuptools, [project.scripts] mentorbot);
# README.md is the package's readme, so it is needed to build.
COPY pyproject.toml README.md ./
COPY core ./core
COPY db ./db
COPY bot ./bot
COPY migrations ./migrations
RUN pip install --upgrade pip setuptools wheel \
    && pip install . \
    && mentorbot --help > /dev/null

# ---------------------------------------------------------------- final stage
FROM python:3.11-slim

ENV PATH=/opt/mentorbot/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# A user of its own, no login, no root; /data is its working directory (a .env file or
# a SQLite database, if one is used, live there).
RUN groupadd --system --gid 10001 mentorbot \
    && useradd --system --uid 10001 --gid mentorbot --home-dir /data \
        --shell /usr/sbin/nologin mentorbot \
    && mkdir -p /data \
    && chown mentorbot:mentorbot /data

COPY --from=build /opt/mentorbot/.venv /opt/mentorbot/.venv

USER mentorbot
WORKDIR /data

# 9100: /healthz, /readyz, /metrics (MENTORBOT_METRICS_PORT); 8443: `telegram --webhook`;
# 3000: `slack --http`.
EXPOSE 9100 8443 3000

# No curl in the slim image: Python asks /healthz (the process is alive).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('MENTORBOT_METRICS_PORT', '9100') + '/healthz', timeout=4)"]

# SIGTERM (docker stop) shuts a process down gracefully within MENTORBOT_SHUTDOWN_SECONDS
# (10 s); docker stop waits 10 s before SIGKILL, so give it more (`docker stop -t 15`,
# compose.yaml's stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["mentorbot"]
CMD ["worker"]
