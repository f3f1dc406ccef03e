# Production image: gunicorn serving compass.wsgi on port 8000, static files served by WhiteNoise.
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

# The key only lets settings load for collectstatic; it is not kept in the image.
RUN SECRET_KEY=collectstatic-build-only python manage.py collectstatic --no-input --verbosity 0 \
    && chown compass:compass /app/var

USER compass

EXPOSE 8000

# Any answer below 500 means gunicorn and Django are up: a 400 (host not in ALLOWED_HOSTS) or
# a 301 (SECURE_SSL_REDIRECT) still shows a live server, and redirects are not followed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import http.client, sys; c = http.client.HTTPConnection('127.0.0.1', 8000, timeout=4); c.request('GET', '/accounts/login/'); sys.exit(c.getresponse().status >= 500)"]

# gunicorn reads the number of workers from WEB_CONCURRENCY.
CMD ["gunicorn", "compass.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
