# One image runs every process: web (default), worker and simulator, chosen by command.
# Any Debian bookworm with python3, python3-venv and python3-dev will do as the base: without a
# registry, one made from Debian's packages (devstack/debian_base.py, docs/operations.md).
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# python-ldap (company accounts over LDAP) has no wheels: it is built against OpenLDAP's headers.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libldap2-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/*
# python3: Debian's own Python has no `python` command.
RUN python3 -m venv /opt/venv
# The runtime lock pins every package, pip included, with the hashes of all of its wheels, so this
# installs the same bytes on any architecture (docs/dependencies.md).
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --require-hashes -r /tmp/requirements.lock

FROM ${BASE_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=wallboard.settings
# The libraries python-ldap was built against.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libldap-2.5-0 libsasl2-2 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /app wallboard \
    && mkdir -p /data && chown wallboard:wallboard /data
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY . /app
# Static files are collected at build time; the key only satisfies settings for this step.
RUN SECRET_KEY=build-only python manage.py collectstatic --no-input -v0
USER wallboard
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# The web server's flags are spelled in devstack/web.py; tests/test_web_server.py keeps this equal.
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--websocket_timeout", "-1", \
     "--websocket-max-message-size", "4194304", "--websocket-max-frame-size", "65536", \
     "wallboard.asgi:application"]
