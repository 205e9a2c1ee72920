# The RevitPy Registry server, `revitpy-registry`, as a container image.
#
#   docker build -t revitpy-registry .
#   docker run -d --name revitpy-registry --stop-timeout 20 \
#     -p 127.0.0.1:8000:8000 -v revitpy-registry-data:/data revitpy-registry
#   docker exec revitpy-registry revitpy-registry token create --name alice
#
# The entry point is the binary, so any subcommand runs in place of `serve`
# (`docker run --rm -v revitpy-registry-data:/data revitpy-registry fsck`).
# Needs BuildKit (the default builder since Docker 23) for the cache mounts;
# its built-in Dockerfile frontend has them, so there is no `# syntax=` line
# (which would pull docker/dockerfile from Docker Hub on every build).
# docs/DEPLOYMENT.md explains every choice; scripts/check-deploy checks that
# the binary path copied below is the one cargo builds.

############################################################################
# Builder: compiles the one binary. Only Cargo.toml, Cargo.lock and crates/
# are copied (.dockerignore admits nothing else), so changes to docs,
# scripts or deployment files do not invalidate the build. The cargo
# registry, git checkouts and the target folder live in BuildKit cache
# mounts: downloads and compiled dependencies survive between builds even
# when the source layer changes, and never end up in an image layer.
############################################################################
FROM rust:1-bookworm AS builder
# rust:1 follows the newest stable release; the workspace needs at least the
# rust-version in Cargo.toml (1.95).

ENV CARGO_TARGET_DIR=/build/target \
    CARGO_TERM_COLOR=never \
    CARGO_INCREMENTAL=0

WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY crates ./crates

# --locked: build exactly what Cargo.lock says, or fail. The target folder is
# a cache mount, so the binary is copied out of it (to /out) in the same step.
RUN --mount=type=cache,id=revitpy-cargo-registry,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,id=revitpy-cargo-git,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,id=revitpy-target,target=/build/target,sharing=locked \
    cargo build --release --locked -p revitpy-registry --bin revitpy-registry \
 && install -D -m 0755 "${CARGO_TARGET_DIR}/release/revitpy-registry" /out/revitpy-registry

############################################################################
# Runtime: the binary on Debian slim (same glibc as the builder). It links
# only libc, libm and libgcc_s (SQLite is compiled in), which the slim image
# has; no package is installed. No curl either: the health check is the
# binary's own `healthcheck` subcommand.
############################################################################
FROM debian:bookworm-slim

LABEL org.opencontainers.image.title="revitpy-registry" \
      org.opencontainers.image.description="The RevitPy package registry server" \
      org.opencontainers.image.licenses="MIT"

# A fixed, unprivileged uid/gid (10001), so files in /data keep one owner
# across image rebuilds and a bind-mounted host folder can be prepared with
# `chown 10001:10001`.
RUN groupadd --system --gid 10001 revitpy \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin revitpy \
 && install -d -o 10001 -g 10001 -m 0700 /data

COPY --from=builder /out/revitpy-registry /usr/local/bin/revitpy-registry

# Everything the registry keeps (database, package files, search index) goes
# to DATA_DIR; a named volume mounted there starts with this folder's owner.
# HOST=0.0.0.0: inside a container the registry must listen on every
# interface for a published port to reach it; publish it on 127.0.0.1 of
# the host (see docker-compose.desktop.yml) unless it should be public.
ENV DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8000
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8000

# SIGTERM stops the registry gracefully: requests in flight finish (within
# SHUTDOWN_TIMEOUT, 10 s) and download counts are flushed. Docker kills after
# 10 s by default: give it longer (`--stop-timeout 20`, compose's
# stop_grace_period).
STOPSIGNAL SIGTERM

# GET http://127.0.0.1:$PORT/health; exit 0 on 200 (database and storage
# usable), 1 otherwise, with the subcommand's own 5 s timeout inside
# Docker's 10 s. Failures in the first 30 s (start-up, database migrations
# after an upgrade) do not count against it.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["revitpy-registry", "healthcheck"]

ENTRYPOINT ["revitpy-registry"]
CMD ["serve"]
