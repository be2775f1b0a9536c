# affinity-bot in a container: one process, one SQLite file on a volume.
# Build: docker build -t affinity-bot .
# Run:   docker run -d --name affinity-bot -v affinity-data:/app/data \
#          -e DISCORD_TOKEN=... -e SLACK_BOT_TOKEN=... -e SLACK_APP_TOKEN=... affinity-bot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
RUN useradd --create-home --uid 10001 bot
COPY pyproject.toml setup.py README.md config.yaml ./
COPY bot ./bot
COPY plugins ./plugins
COPY migrations ./migrations
RUN pip install --no-cache-dir -e . && mkdir -p /app/data && chown -R bot:bot /app/data
USER bot
VOLUME ["/app/data"]
# Slack HTTP mode listens here (unused in Socket Mode) once the mounted config.yaml says
# `platforms.slack.host: 0.0.0.0` (the default, 127.0.0.1, is unreachable from outside the container).
EXPOSE 3000
# SIGTERM (docker stop) flushes buffered writes and exits 0.
STOPSIGNAL SIGTERM
CMD ["affinity-bot", "run"]
