# syntax=docker/dockerfile:1
# triage-bot image: compiled JavaScript and production dependencies only, run as a non-root user.
# The build steps are scripts/image/assemble.sh, which CI also runs and checks (no container
# engine there), so the tree copied below is the one the tests ran.
#   docker build -t triage-bot .
#   docker run --env-file bot.env -p 9464:9464 triage-bot          (TRIAGE_MODE=production)
#   docker run ... triage-bot node bin/triage-relay.mjs             (the lab relay, for compose)

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles its native module when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN bash scripts/image/assemble.sh /out

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    TRIAGE_MODE=production \
    OPS_LISTEN_HOST=0.0.0.0 \
    OPS_PORT=9464
WORKDIR /app
# Code owned by root and read-only to the bot; only data/ (SQLite, the lab relay's audit log) is its own.
COPY --from=build /out/ /app/
RUN mkdir -p /app/data && chown 10001:10001 /app/data
USER 10001:10001
# 9464: health and metrics; 3001: Slack HTTP mode; 3978: Teams. Socket-mode Slack needs none inbound.
EXPOSE 9464 3001 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["node", "bin/healthcheck.mjs"]
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "bin/triage-bot.mjs"]
