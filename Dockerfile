# The stream server as a container (ECS Fargate in template.yaml, or any Docker host).
#   docker build -t livestage-stream .
#   docker run -p 8080:8080 -e LIVESTAGE_DIRECTORY=dynamodb://<table>?region=<r> \
#              -e LIVESTAGE_SEGMENT_STORE=s3://<bucket>/hls?region=<r> livestage-stream
# For the stage add -p 40000-40999:40000-40999/udp -e LIVESTAGE_STAGE_MEDIA_ADDRESSES=<the host's IP>
# (the container's own address is not one that browsers can reach).
# Debian 12 (bookworm) as everywhere else: ffmpeg 5.1 with the native AAC encoder.
# hls.js for the listener page, from the npm lockfile (web/package-lock.json), no CDN
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json web/.npmrc ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim-bookworm

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg libopus0 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first (pinned in pyproject.toml), so code changes reuse this layer.
COPY pyproject.toml README.md ./
COPY room_directory/ room_directory/
COPY stream_server/ stream_server/
COPY skill/ skill/
COPY livestage/ livestage/
COPY interaction_models/ interaction_models/
COPY --from=web /web/node_modules/hls.js/dist/hls.min.js stream_server/web/static/vendor/hls.min.js
RUN pip install --no-cache-dir . \
 && useradd --system --home-dir /data --create-home livestage

USER livestage
ENV LIVESTAGE_HOST=0.0.0.0 \
    LIVESTAGE_PORT=8080 \
    LIVESTAGE_DATA_DIR=/data \
    LIVESTAGE_DEMO=0 \
    PYTHONUNBUFFERED=1
EXPOSE 8080
# stage media (WebRTC), one port per member: LIVESTAGE_STAGE_UDP_PORTS
EXPOSE 40000-40999/udp
# SIGTERM (ECS stop) closes each encoder's input and leaves shows live for the next task.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)" || exit 1
CMD ["livestage", "serve"]
