# syntax=docker/dockerfile:1
# The health check names the first of ALLOWED_HOSTS, which production requires.
# Krea Studio: one image for web, worker and beat (compose.yaml picks the command).

FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
# collectstatic needs settings but no real secrets: build-time values, not shipped.
RUN DJANGO_DEBUG=false SECRET_KEY=collectstatic-only ALLOWED_HOSTS=build \
    KREA_TOKEN_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LWtleS0zMmJ5dGVzISE= DATABASE_URL=sqlite:////tmp/build.db \
    CELERY_BROKER_URL=memory:// \
    /opt/venv/bin/python manage.py collectstatic --noinput

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_DEBUG=false PORT=8000
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 studio
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=studio:studio /app /app
RUN mkdir -p /app/var && chown studio:studio /app/var
USER studio
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS -H "Host: ${ALLOWED_HOSTS%%,*}" "http://127.0.0.1:${PORT}/healthz" || exit 1
CMD ["sh", "-c", "exec gunicorn studio.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --access-logfile - --logger-class studio.log_redaction.GunicornLogger --forwarded-allow-ips='*'"]
