# Production image: gunicorn serving compass.wsgi on port 8000 as a non-root user, static files
# served by WhiteNoise. Every setting comes from the environment (README.md, "Settings").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=3

# Noto fonts and Pango/HarfBuzz are what WeasyPrint needs to render PDF reports with any script.
# Without libharfbuzz-subset0, WeasyPrint 70 logs a warning per font and subsets fonts with fontTools,
# a fallback it says future versions will drop.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 compass \
    && useradd --system --uid 1000 --gid compass --home-dir /app --shell /usr/sbin/nologin compass

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# With DEBUG off, collectstatic writes hashed file names, a manifest, and gzip and Brotli copies
# that WhiteNoise serves with long cache lifetimes. The key only lets settings load here; it is
# not kept in the image.
RUN SECRET_KEY=collectstatic-build-only python manage.py collectstatic --no-input --verbosity 0 \
    && mkdir -p /app/var/imports \
    && chown -R compass:compass /app/var

USER compass

EXPOSE 8000

# /healthz answers 200 while the process serves requests, whatever ALLOWED_HOSTS and
# SECURE_SSL_REDIRECT say, because it is served before the host check and the redirect.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import http.client, sys; c = http.client.HTTPConnection('127.0.0.1', 8000, timeout=4); c.request('GET', '/healthz'); sys.exit(c.getresponse().status != 200)"]

# Each start applies the migrations, creates the cache table of the login throttle and syncs the
# pattern library; all three do nothing when the database is current. gunicorn then replaces the
# shell, so it receives the container's stop signal. It reads the number of workers from
# WEB_CONCURRENCY and further options from GUNICORN_CMD_ARGS. Django writes one log line per
# request, with its request id, so gunicorn's access log stays off.
CMD ["sh", "-c", "python manage.py migrate --no-input && python manage.py createcachetable && python manage.py load_patterns && exec gunicorn compass.wsgi --bind 0.0.0.0:8000 --worker-tmp-dir /dev/shm"]
