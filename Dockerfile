# reportflow on Debian bookworm: built by the same scripts the tests use.
FROM debian:bookworm AS build
WORKDIR /src
COPY . /src
# the image needs no Java: Kafka runs in its own container
RUN RF_SETUP_KAFKA=0 scripts/setup.sh && scripts/build.sh release /src/build

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends librdkafka1 libjansson4 libpcre2-8-0 libpq5 libssl3 \
        libmicrohttpd12 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/bin/reportflow-producer /src/build/bin/reportflow-worker \
     /src/build/bin/reportflow-extract /src/build/bin/reportflow-sink \
     /src/build/bin/reportflow-report /src/build/bin/reportflow-lag \
     /src/build/bin/reportflow-topics /usr/local/bin/
COPY config /etc/reportflow
ENV REPORTFLOW_CONFIG=/etc/reportflow/reportflow.conf \
    REPORTFLOW_WORKER_RULES=/etc/reportflow/rules/emergency-management-annual.json
USER nobody
