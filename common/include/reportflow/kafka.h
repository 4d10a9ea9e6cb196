/* kafka.h - librdkafka client set-up from a reportflow configuration. */
#ifndef RF_KAFKA_H
#define RF_KAFKA_H

#include <stdbool.h>
#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "reportflow/config.h"

/**
 * A librdkafka configuration: first @p defaults (NULL-terminated key/value
 * pairs, a program's own choices), then every kafka.* key of @p cfg, so the
 * user always has the last word. When kafka.bootstrap.servers is unset and
 * broker.address_file is set, the address is read from that file.
 * librdkafka's log lines go through rf_log. @returns a conf (the caller owns
 * it until rd_kafka_new() succeeds), or NULL with a message naming the key.
 */
rd_kafka_conf_t *rf_kafka_conf_new(const struct rf_config *cfg, const char *const *defaults,
                                   char *errstr, size_t errstr_size);

/**
 * error_cb for every client: logs; a fatal error also asks the program to stop
 * (rf_run_request_stop()). Programs learn that it was fatal from
 * rd_kafka_fatal_error(), so no flag is shared with the callback.
 */
void rf_kafka_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque);

/** rebalance_cb for our consumers: log what was assigned or revoked, then apply it. */
void rf_kafka_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t *parts, void *opaque);

/**
 * A consumer in @p group, subscribed to @p topics, that commits only offsets
 * the program stored (enable.auto.offset.store=false with auto-commit), with
 * the eager roundrobin assignor and the group timeouts README explains; user
 * kafka.* keys still win. It does not check the topics: a consumer-only program calls
 * rf_kafka_check_topics(), the others have it done by rf_kafka_producer_new().
 * @p record_ms is the longest one record may keep the program from polling (a
 * worker's conversion and extraction; 0: no more than a moment; RF_KAFKA_RECORD_UNBOUNDED:
 * no bound): the group keeps the member for at least twice that (max.poll.interval.ms, 10
 * minutes at the least, a day at the most).
 * @returns the handle, or NULL with errstr.
 */
#define RF_KAFKA_RECORD_UNBOUNDED (-1LL)
rd_kafka_t *rf_kafka_group_consumer_new(const struct rf_config *cfg, const char *group,
                                        const char *const *topics, size_t topic_cnt,
                                        long long record_ms, char *errstr, size_t errstr_size);

/**
 * Store, for auto-commit, the offset after each of @p msgs: call it once their
 * output is safe. A partition revoked meanwhile is logged under @p component
 * (its new owner redoes those records, and our writes are idempotent).
 */
void rf_kafka_store_offsets(rd_kafka_t *consumer, rd_kafka_message_t *const *msgs, size_t cnt,
                            const char *component);

/**
 * The one idempotent producer every program uses (zstd, no message timeout: a broker outage
 * makes records wait, never drops them; message.max.bytes from the topics' sizes), with
 * @p opaque and @p on_delivery set; then makes sure our topics exist and can carry what we
 * send (rf_topics_ensure()). @returns the handle, or NULL with errstr naming the topic and
 * setting that cannot work. A broker that does not answer yet is logged, not an error.
 */
rd_kafka_t *rf_kafka_producer_new(const struct rf_config *cfg, void *opaque,
                                  void (*on_delivery)(rd_kafka_t *, const rd_kafka_message_t *,
                                                      void *),
                                  char *errstr, size_t errstr_size);

/**
 * Make sure our three topics exist and can carry what we send, through @p rk; log when the
 * broker cannot tell (not reachable yet, or the embedded mock). @returns 0, or -1 with errstr
 * naming the topic and the setting when one cannot work.
 */
int rf_kafka_check_topics(rd_kafka_t *rk, const struct rf_config *cfg, char *errstr,
                          size_t errstr_size);

/** True when @p rk (may be NULL) hit a fatal error. */
bool rf_kafka_fatal(rd_kafka_t *rk);

/** Send librdkafka's own log lines through rf_log. */
void rf_kafka_conf_route_logs(rd_kafka_conf_t *conf);

/** rd_kafka_new() that destroys @p conf on failure too, so the caller never has to. */
rd_kafka_t *rf_kafka_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, char *errstr,
                         size_t errstr_size);

/**
 * Fetch the metadata of the topics a producer will write to, so its first
 * message need not wait for librdkafka's once-a-second topic scan. Waits at
 * most @p timeout_ms; a broker that does not answer yet, or a topic that does
 * not exist, is logged and is not an error (messages wait in the queue).
 */
void rf_kafka_warm_topics(rd_kafka_t *rk, const char *const *topics, size_t cnt, int timeout_ms);

/**
 * Value of header @p name of @p msg as text in @p out, or "" when absent: up to a NUL byte,
 * invalid UTF-8 replaced by U+FFFD, cut between characters to fit.
 */
void rf_kafka_header_get(const rd_kafka_message_t *msg, const char *name, char *out,
                         size_t out_size);

#endif
