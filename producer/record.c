/* record.c - the producer's records: a file's bytes, or a dead letter, with headers. */
#include "record.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/clock.h"
#include "reportflow/fs.h"
#include "reportflow/headers.h"
#include "reportflow/log.h"
#include "reportflow/sha256.h"
#include "reportflow/utf8.h"

#define COMPONENT "publish"

/* Longest text header value: the worker and the sink read headers into 512-byte buffers. */
#define HEADER_TEXT_MAX 500

/* Text headers are valid UTF-8 (invalid bytes as U+FFFD), cut at a character boundary. */
static void add_text_header(rd_kafka_headers_t *h, const char *name, const char *value)
{
    char safe[HEADER_TEXT_MAX + 1];
    rf_utf8_lossy(value, strlen(value), safe, sizeof(safe));
    rd_kafka_header_add(h, name, -1, safe, -1);
}

/* The exact bytes of a name, %XX-escaped (the text header may have lost some). */
static void add_raw_name(rd_kafka_headers_t *h, const char *rel)
{
    char raw[PATH_MAX * 3 + 1];
    rf_fs_name_escape(rel, raw, sizeof(raw));
    rd_kafka_header_add(h, RF_HDR_FILE_NAME_RAW, -1, raw, -1);
}

/* Produce @p data (taken) with @p hdrs (taken). */
static enum record_result produce(rd_kafka_t *rk, const char *topic, const char *rel, char *data,
                                  size_t len, rd_kafka_headers_t *hdrs, void *opaque)
{
    char key[RF_SHA256_HEX_LEN + 1];
    if (!hdrs) {
        free(data);
        rf_error(COMPONENT, "cannot produce '%s': out of memory for its headers", rel);
        return RECORD_ERROR;
    }
    if (rf_sha256_hex(data, len, key) != 0) {
        rf_error(COMPONENT, "cannot hash '%s': libcrypto's SHA-256 failed", rel);
        free(data);
        rd_kafka_headers_destroy(hdrs);
        return RECORD_ERROR;
    }
    rd_kafka_resp_err_t err =
        rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, RF_SHA256_HEX_LEN),
                          RD_KAFKA_V_VALUE(data, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE),
                          RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    if (err) {
        free(data);
        rd_kafka_headers_destroy(hdrs);
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            return RECORD_FULL;
        }
        if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
            return RECORD_TOO_LARGE;
        }
        rf_error(COMPONENT, "cannot produce '%s': %s", rel, rd_kafka_err2str(err));
        return RECORD_ERROR;
    }
    return RECORD_QUEUED;
}

enum record_result record_send_file(rd_kafka_t *rk, const char *topic, const char *rel, char *data,
                                    size_t len, const struct stat *st, void *opaque)
{
    char num[32], mtime[40], dropped[40];
    rd_kafka_headers_t *h = rd_kafka_headers_new(5);
    if (h) {
        snprintf(num, sizeof(num), "%zu", len);
        rf_clock_format((int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000, mtime,
                        sizeof(mtime));
        rf_clock_format(rf_clock_now_ms(), dropped, sizeof(dropped));
        add_text_header(h, RF_HDR_FILE_NAME, rel);
        add_raw_name(h, rel);
        add_text_header(h, RF_HDR_FILE_SIZE, num);
        add_text_header(h, RF_HDR_FILE_MTIME, mtime);
        add_text_header(h, RF_HDR_DROPPED_AT, dropped);
    }
    return produce(rk, topic, rel, data, len, h, opaque);
}

/* The dead letter of a file that cannot be sent; it carries no bytes (none, or too many). */
enum record_result record_send_dead_letter(rd_kafka_t *rk, const char *topic, const char *rel,
                                           const char *code, const char *reason, void *opaque)
{
    rd_kafka_headers_t *h = rd_kafka_headers_new(6);
    if (h) {
        add_text_header(h, RF_HDR_STAGE, "producer");
        add_text_header(h, RF_HDR_ERROR_CODE, code);
        add_text_header(h, RF_HDR_ERROR_TEXT, reason);
        add_text_header(h, RF_HDR_ATTEMPT, "1");
        add_text_header(h, RF_HDR_FILE_NAME, rel);
        add_raw_name(h, rel);
    }
    return produce(rk, topic, rel, NULL, 0, h, opaque);
}
