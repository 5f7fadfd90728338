# syntax=docker/dockerfile:1
# One image for all four services (registry, eligibility, funds, reporting).
#   docker build -t yicheng-poverty:dev .
#   docker run yicheng-poverty:dev services.registry migrate
#   docker run yicheng-poverty:dev services.funds serve
# The builder turns the project and every dependency into wheels and installs them into a
# virtual environment; the runtime stage gets only that environment, no compiler, no pip
# cache, no source tree, and runs as an unprivileged user.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
# The runtime venv gets no pip/setuptools of its own: the builder's pip installs into it.
RUN python -m venv --without-pip /opt/venv

# Dependencies first, from pyproject.toml alone: this layer is reused until they change.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
    && pip wheel --wheel-dir /wheels --requirement requirements.txt \
    && pip --python /opt/venv/bin/python install --no-index --find-links /wheels \
       --requirement requirements.txt

# Then the project itself (migrations, parameter files and templates are package data).
COPY shared ./shared
COPY services ./services
RUN pip wheel --no-deps --wheel-dir /wheels/project . \
    && pip --python /opt/venv/bin/python install --no-index --no-deps /wheels/project/*.whl \
    && /opt/venv/bin/python -m compileall -q /opt/venv/lib


FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="yicheng-poverty" \
      org.opencontainers.image.description="峄城区 poverty-alleviation back end: registry, eligibility, funds and reporting services"
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin app
COPY --from=builder /opt/venv /opt/venv
COPY deploy/docker/healthcheck.py /app/healthcheck.py
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    REGISTRY_HOST=0.0.0.0 \
    ELIGIBILITY_HOST=0.0.0.0 \
    FUNDS_HOST=0.0.0.0 \
    REPORTING_HOST=0.0.0.0 \
    REGISTRY_DATA_DIR=/tmp/yicheng \
    ELIGIBILITY_DATA_DIR=/tmp/yicheng \
    FUNDS_DATA_DIR=/tmp/yicheng \
    REPORTING_DATA_DIR=/tmp/yicheng
# Nothing in /app is writable; the services write only under /tmp (a tmpfs/emptyDir when
# the root filesystem is read-only).
WORKDIR /app
USER 10001:10001
EXPOSE 8001 8002 8003 8004
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/app/healthcheck.py"]
# `docker run IMAGE services.<name> serve|migrate`
ENTRYPOINT ["python", "-m"]
CMD ["services.registry", "serve"]
