# syntax=docker/dockerfile:1
# Build stage: the locked runtime dependencies and casework itself (not editable) into a venv at /opt/casework.
FROM python:3.11-slim AS build
ENV UV_PROJECT_ENVIRONMENT=/opt/casework \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
# Dependencies first, in a layer of their own: a change to src/ does not reinstall them.
RUN uv sync --frozen --no-dev --no-install-project
COPY src/ src/
RUN uv sync --frozen --no-dev --no-editable

# Run stage: the same base (the venv's interpreter path), the venv, and an unprivileged user.
FROM python:3.11-slim
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /var/lib/casework --shell /usr/sbin/nologin casework \
    && mkdir -p /var/lib/casework/data \
    && chown -R casework:casework /var/lib/casework
COPY --from=build /opt/casework /opt/casework
ENV PATH=/opt/casework/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    CASEWORK_DATA_DIR=/var/lib/casework/data \
    CASEWORK_HOST=0.0.0.0 \
    CASEWORK_PORT=8000
USER casework
WORKDIR /var/lib/casework
VOLUME /var/lib/casework/data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('CASEWORK_PORT', '8000'), timeout=4)"]
ENTRYPOINT ["casework"]
CMD ["serve"]
