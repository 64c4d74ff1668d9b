# sandbank as a container: both vendors on 0.0.0.0 (Basiq 4010, Meld 4020), as a non-root user.
#   docker build -t sandbank .
#   docker run --rm -p 4010:4010 -p 4020:4020 sandbank
# Scenario files go under /scenarios (the working directory):
#   docker run --rm -p 4010:4010 -p 4020:4020 -v "$PWD/scenarios:/scenarios:ro" \
#     sandbank serve --scenario own-bank.toml

FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY scenarios ./scenarios
RUN cargo build --release --locked --bin sandbank \
    && cp target/release/sandbank /usr/local/bin/sandbank

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin sandbank \
    && mkdir /scenarios
COPY --from=build /usr/local/bin/sandbank /usr/local/bin/sandbank
ENV SANDBANK_BASIQ_ADDR=0.0.0.0:4010 \
    SANDBANK_MELD_ADDR=0.0.0.0:4020
WORKDIR /scenarios
USER 10001:10001
EXPOSE 4010 4020
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 \
    CMD ["sandbank", "health", "http://127.0.0.1:4010"]
ENTRYPOINT ["sandbank"]
CMD ["serve"]
