# syntax=docker/dockerfile:1
# One image, three roles (web, worker, beat): pick the role with the start script
# given as the command (see docker-compose.yml). Default: the web server.

ARG PYTHON_IMAGE=python:3.12-slim-bookworm

# --- build stage: resolve and install the locked dependencies into /app/.venv ---
FROM ${PYTHON_IMAGE} AS build

ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir --root-user-action=ignore "uv==${UV_VERSION}"

# Use the image's own Python (the run stage has the same one at the same path),
# compile bytecode now because the run stage's venv is read-only, and copy rather
# than hard-link out of the cache mount.
ENV UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.12 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-project


# --- run stage ---
FROM ${PYTHON_IMAGE} AS run

# WeasyPrint needs Pango and HarfBuzz (subset) at run time, and at least one font; Kaleido
# draws the PDFs' charts with Chromium (BROWSER_PATH=/usr/bin/chromium; without it each
# chart is printed as its table). Versions follow the base image's Debian release
# (security updates), so no pins.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        chromium \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/app/.venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=roadmap_site.settings \
    STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
    MEDIA_ROOT=/app/media

WORKDIR /app

# Code and dependencies stay owned by root: the app user can read them, not change them.
COPY --from=build /app/.venv /app/.venv
COPY . .

# Start scripts: strip CRLF (Windows checkouts) and make sure they are executable.
RUN sed -i 's/\r$//' roadmap_site/deploy/entrypoint roadmap_site/deploy/start-* \
    && chmod 0755 roadmap_site/deploy/entrypoint roadmap_site/deploy/start-*

# Hashed, compressed static files for whitenoise. Settings need a SECRET_KEY to load;
# this one exists only for this build step and is not kept in the image's environment.
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput

# MEDIA_ROOT: generated PDFs. A new named volume mounted here takes this owner,
# so the app user can write to it from web and worker.
RUN mkdir -p /app/media && chown app:app /app/media

USER app
EXPOSE 8000

ENTRYPOINT ["/app/roadmap_site/deploy/entrypoint"]
CMD ["/app/roadmap_site/deploy/start-web"]
