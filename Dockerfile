# One image, two roles:
#   docker run IMAGE web     → applies migrations (flask db upgrade), then gunicorn on :8000
#   docker run IMAGE worker  → one RQ worker (run as many as needed)
# Configure with DATABASE_URL, REDIS_URL, EVIDENCE_DIR (a shared volume), SECRET_KEY and
# DATA_KEY (the same on every host). With DATABASE_URL naming a server, a container without
# SECRET_KEY, DATA_KEY or REDIS_URL refuses to start and says which is missing.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    INSTANCE_DIR=/var/lib/zhichao EVIDENCE_DIR=/var/lib/zhichao/evidence \
    WEB_CONCURRENCY=2 WEB_THREADS=4

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY service service
COPY models models
COPY workers workers
COPY migrations migrations
COPY wsgi.py gunicorn.conf.py ./

RUN useradd --system --home /var/lib/zhichao zhichao \
    && mkdir -p /var/lib/zhichao/evidence && chown -R zhichao /var/lib/zhichao
USER zhichao
VOLUME ["/var/lib/zhichao"]
EXPOSE 8000

COPY --chmod=755 <<'SH' /usr/local/bin/zhichao
#!/bin/sh
set -e
case "${1:-web}" in
  web)
    flask --app wsgi db upgrade
    exec gunicorn wsgi:app --bind 0.0.0.0:8000 --workers "$WEB_CONCURRENCY" \
         --threads "$WEB_THREADS" --access-logfile - --forwarded-allow-ips='*'
    ;;
  worker)
    exec python -m workers
    ;;
  *)
    exec "$@"
    ;;
esac
SH
ENTRYPOINT ["zhichao"]
CMD ["web"]
