# syntax=docker/dockerfile:1
# Baraza in a container: a multi-stage build to a small runtime image that runs as a
# non-root user, with its data in a volume.
#
#   docker build -t baraza .
#   docker run -p 8080:8080 -v baraza-data:/var/lib/baraza baraza serve --demo
#
# With PostgreSQL: `docker compose up` (compose.yaml).

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY crates crates
COPY data data
RUN cargo build --release --locked --bin baraza \
    && strip target/release/baraza

FROM debian:bookworm-slim
# Debian's security updates, not pinned versions: the image is rebuilt to take them.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 baraza \
    && useradd --system --uid 10001 --gid baraza --home-dir /var/lib/baraza --shell /usr/sbin/nologin baraza \
    && install -d -o baraza -g baraza -m 0750 /var/lib/baraza /var/backups/baraza
COPY --from=build /src/target/release/baraza /usr/local/bin/baraza
# Jurisdiction files for `baraza jurisdiction load /usr/share/baraza/jurisdictions/...`.
COPY --from=build /src/data/jurisdictions /usr/share/baraza/jurisdictions
COPY --from=build /src/data/action-plans /usr/share/baraza/action-plans
USER 10001:10001
WORKDIR /var/lib/baraza
ENV BARAZA_DATA_DIR=/var/lib/baraza \
    BARAZA_LISTEN=0.0.0.0:8080
VOLUME ["/var/lib/baraza"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
    CMD ["curl", "--fail", "--silent", "--output", "/dev/null", "http://127.0.0.1:8080/readyz"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/baraza"]
CMD ["serve"]
