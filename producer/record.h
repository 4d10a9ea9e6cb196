/*
 * record.h - the records the producer sends, keyed by the SHA-256 of the
 * bytes: a file's bytes to topic.raw with its headers (name, raw name, size,
 * mtime, when it was found), or the dead letter of a file that cannot be sent
 * to topic.dlq (no bytes; the error code and reason in Kafka Connect's headers).
 */
#ifndef RF_RECORD_H
#define RF_RECORD_H

#include <stddef.h>
#include <sys/stat.h>

#include <librdkafka/rdkafka.h>

/* What a send returns. */
enum record_result {
    RECORD_QUEUED = 0,    /* the delivery report will carry the opaque */
    RECORD_FULL = 1,      /* librdkafka's queue is full: try again after a poll */
    RECORD_TOO_LARGE = 2, /* over message.max.bytes: refused before it left */
    RECORD_ERROR = -1,    /* logged */
};

/**
 * Produce file @p rel's bytes @p data (taken: freed by librdkafka or here),
 * @p st its version, with @p opaque for the delivery report.
 */
enum record_result record_send_file(rd_kafka_t *rk, const char *topic, const char *rel, char *data,
                                    size_t len, const struct stat *st, void *opaque);

/** Produce the dead letter of file @p rel: error @p code, @p reason. */
enum record_result record_send_dead_letter(rd_kafka_t *rk, const char *topic, const char *rel,
                                           const char *code, const char *reason, void *opaque);

#endif
