# syntax=docker/dockerfile:1
# The shop's one image: web (the default command) and worker (`python -m jobs.worker`).
# Stage 1 installs the pinned dependencies into a virtualenv; stage 2 copies that and the code
# and runs as the unprivileged user `shop` (uid 10001), with no compiler or pip cache inside.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install -r /tmp/requirements.txt


FROM python:3.11-slim-bookworm
# openssh-client: WG_COMMAND like `ssh root@vpn1 wg` (mount the key: see docker-compose.yml).
# wireguard-tools: WG_COMMAND=`wg` when the container shares the WireGuard host's network.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssh-client wireguard-tools \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 shop \
 && useradd --system --uid 10001 --gid shop --home-dir /home/shop --create-home --shell /usr/sbin/nologin shop
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=8080
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# The code belongs to root and is read-only for the shop; only ./data (local secrets) is writable.
COPY . .
RUN mkdir -p /app/data && chown shop:shop /app/data
USER 10001:10001
EXPOSE 8080
# The Procfile's web line; `exec` so gunicorn gets SIGTERM and shuts down gracefully.
CMD ["sh", "-c", "exec gunicorn --bind 0.0.0.0:${PORT:-8080} --workers ${WEB_CONCURRENCY:-2} --threads ${WEB_THREADS:-4} --worker-connections ${WEB_WORKER_CONNECTIONS:-8} --timeout 30 --graceful-timeout 20 --access-logfile - functions.main:app"]
