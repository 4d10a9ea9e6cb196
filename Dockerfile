# reportflow on Debian bookworm: built by the same scripts the tests use.
# The build context is the checkout minus .dockerignore: no local build folder (its
# CMakeCache.txt names another path), no .reportflow/ (the local stack's password, data
# and reports), no .git.
FROM debian:bookworm AS build
WORKDIR /src
COPY . /src
# the image needs no Java: Kafka runs in its own container
RUN RF_SETUP_KAFKA=0 scripts/setup.sh && scripts/build.sh release /src/build

FROM debian:bookworm-slim
# the shared libraries the programs need (tests/quality/check-compose.sh checks the list
# against the binaries), and the converters the worker runs for PDF and Word files
RUN apt-get update \
 && apt-get install -y --no-install-recommends librdkafka1 libjansson4 libpcre2-8-0 libpq5 libssl3 \
        libmicrohttpd12 libxml2 libseccomp2 libzip4 ca-certificates poppler-utils libreoffice-writer-nogui \
        tesseract-ocr tesseract-ocr-chi-sim \
 && rm -rf /var/lib/apt/lists/*
# the programs run as an unprivileged user of their own (uid 10001, no shell, no home);
# /data (the producer's inbox, done and failed, a volume) belongs to it
RUN groupadd --system --gid 10001 reportflow \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin reportflow \
 && install -d -o 10001 -g 10001 -m 0750 /data
COPY --from=build /src/build/bin/reportflow-producer /src/build/bin/reportflow-worker \
     /src/build/bin/reportflow-extract /src/build/bin/reportflow-sink \
     /src/build/bin/reportflow-report /src/build/bin/reportflow-lag \
     /src/build/bin/reportflow-topics /src/build/bin/reportflow-officetext /usr/local/bin/
COPY config /etc/reportflow
ENV REPORTFLOW_CONFIG=/etc/reportflow/reportflow.conf \
    REPORTFLOW_WORKER_RULES=/etc/reportflow/rules
# numeric, so a runtime that refuses root images (runAsNonRoot) can tell
USER 10001:10001
