# Debarlist service image: applies migrations, then serves with uvicorn.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DEBARLIST_ENV=production

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY service ./service
COPY matching ./matching
RUN pip install ./matching . && useradd --system --uid 10001 debarlist && mkdir -p /data && chown debarlist /data

USER debarlist
WORKDIR /app
EXPOSE 8000
# Needs DEBARLIST_DATABASE_URL and a key (DEBARLIST_SIGNING_KEY or DEBARLIST_SIGNING_KEY_FILE):
# outside development mode the service refuses to start with a generated key.
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz')" || exit 1
CMD ["debarlist", "serve", "--host", "0.0.0.0", "--port", "8000"]
