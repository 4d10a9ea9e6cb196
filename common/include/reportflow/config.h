/*
 * config.h - reportflow configuration: one key=value file read by every program,
 * then REPORTFLOW_* environment variables, then -X key=value flags.
 *
 * Keys are dotted lowercase and checked against one table (config.c), which tags
 * each key with the programs that read it. A key no program reads, or a bad
 * value, is an error naming the file and line, the variable or the flag, and the
 * key. A key only other programs read is accepted from the file and the
 * environment (both serve every program) and refused on the command line, which
 * addresses one program; --print-config shows only the program's own keys.
 * Keys starting with "kafka." are kept as-is for librdkafka (see
 * rf_kafka_conf_new()) and read by the programs that talk to Kafka.
 */
#ifndef RF_CONFIG_H
#define RF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define RF_CONFIG_DEFAULT_PATH "config/reportflow.conf"

/* The programs that read a configuration; each key of the table is tagged with a set of them. */
enum rf_program {
    RF_PROG_PRODUCER = 1 << 0,
    RF_PROG_WORKER = 1 << 1,
    RF_PROG_SINK = 1 << 2,
    RF_PROG_LAG = 1 << 3,
    RF_PROG_TOPICS = 1 << 4,
    RF_PROG_BROKER = 1 << 5,
    RF_PROG_EVAL = 1 << 6,
    RF_PROG_EXTRACT = 1 << 7,
    RF_PROG_REPORT = 1 << 8,
    RF_PROG_REPROCESS = 1 << 9,
    RF_PROG_ALL = (1 << 10) - 1, /* every key applies: tests, the whole table */
};

struct rf_config_kv {
    char *key;   /* librdkafka property name, without the "kafka." prefix */
    char *value; /* its value, as written */
};

struct rf_config {
    unsigned programs; /* who reads this configuration: one RF_PROG_*, or RF_PROG_ALL */
    /* common */
    char *log_level;             /* log.level */
    char *log_format;            /* log.format: text or json */
    char *metrics_listen;        /* metrics.listen: host:port for /metrics and /healthz, "" = off */
    char *topic_raw;             /* topic.raw */
    char *topic_events;          /* topic.events */
    char *topic_dlq;             /* topic.dlq */
    long long raw_partitions;    /* topic.raw.partitions (broker creates topics) */
    long long events_partitions; /* topic.events.partitions */
    long long dlq_partitions;    /* topic.dlq.partitions */
    long long topic_replication_factor;  /* topic.replication_factor: replicas of our topics */
    long long topic_min_insync_replicas; /* topic.min_insync_replicas */
    bool topic_check; /* topic.check: programs create/check our topics at start */
    /* producer */
    char *watch_dir;              /* watch.dir */
    bool watch_recursive;         /* watch.recursive */
    char *watch_ignore;           /* watch.ignore: comma-separated glob patterns */
    long long watch_quiet_ms;     /* watch.quiet_ms: a file is sent once quiet this long */
    long long watch_rescan_ms;    /* watch.rescan_ms: safety rescan of the inbox */
    char *archive_mode;           /* archive.mode: move or delete */
    char *archive_dir;            /* archive.dir */
    char *failed_dir;             /* failed.dir */
    long long max_file_bytes;     /* producer.max_file_bytes */
    long long max_inflight_bytes; /* producer.max_inflight_bytes */
    long long max_inflight_files; /* producer.max_inflight_files */
    long long flush_timeout_ms;   /* producer.flush_timeout_ms: bound on shutdown wait */
    long long progress_ms;        /* progress.interval_ms */
    /* worker */
    char *worker_group;                  /* worker.group */
    bool worker_reprocess;               /* worker.reprocess: serve reprocess runs (jobs.h) */
    char *rules_path;                    /* worker.rules */
    long long worker_batch;              /* worker.batch_size */
    long long worker_batch_bytes;        /* worker.batch_bytes */
    long long worker_max_extract_ms;     /* worker.max_extract_ms: per document, 0 = none */
    long long worker_max_convert_ms;     /* worker.max_convert_ms: a document's converter */
    bool worker_ocr;                     /* worker.ocr: scanned PDF pages read by tesseract */
    long long worker_max_envelope_bytes; /* worker.max_envelope_bytes: larger go to the DLQ */
    /* sink */
    char *sink_group;             /* sink.group */
    char *pg_conninfo;            /* pg.conninfo: libpq connection string, "" = PG* variables */
    long long sink_batch_docs;    /* sink.batch_docs */
    long long sink_batch_ms;      /* sink.batch_ms */
    long long sink_retry_max_ms;  /* sink.retry_max_ms: cap of the reconnect backoff */
    long long sink_batch_bytes;   /* sink.batch_bytes: bytes a batch holds before it closes */
    long long sink_max_outage_ms; /* sink.max_outage_ms: leave the group after this */
    long long pg_statement_timeout_ms; /* pg.statement_timeout_ms: per sink transaction */
    long long reprocess_max_live_lag;  /* reprocess.max_live_lag: records, 0 never waits */
    /* broker and lag */
    char *broker_address_file; /* broker.address_file */
    long long broker_count;    /* broker.count */
    char *lag_groups;          /* lag.groups: comma-separated consumer groups */
    long long lag_window_s;    /* lag.window_s: evaluation window for the status rule */
    long long lag_stop_s;      /* lag.stop_s: no commit for this long with lag > 0 is STOP */

    struct rf_config_kv *kafka; /* kafka.* pass-through, in the order set */
    size_t kafka_cnt;
};

/**
 * A configuration holding every default, read by @p programs (one RF_PROG_*, or
 * RF_PROG_ALL). Free with rf_config_free(). NULL on ENOMEM.
 */
struct rf_config *rf_config_new(unsigned programs);
void rf_config_free(struct rf_config *cfg);

/**
 * Set one key, addressed to this configuration's programs: as for a -X flag, a key
 * that only other programs read is refused. @p origin ("-X") prefixes errors.
 * @returns 0, or -1 with a message naming the origin, key and value in @p errstr.
 */
int rf_config_set(struct rf_config *cfg, const char *key, const char *value, const char *origin,
                  char *errstr, size_t errstr_size);

/**
 * Read a key=value file ('#' comments, blank lines). The file may hold other programs'
 * keys. A kafka.* key must be a librdkafka property. No error quotes a malformed line or
 * the value of an unknown kafka.* key (either may be a secret). @returns 0 or -1 with errstr.
 */
int rf_config_load_file(struct rf_config *cfg, const char *path, char *errstr, size_t errstr_size);

/** Apply REPORTFLOW_<KEY> variables (dots as underscores) from @p envp, any program's keys. */
int rf_config_load_env(struct rf_config *cfg, char **envp, char *errstr, size_t errstr_size);

/**
 * The configuration of @p programs (one RF_PROG_*, or RF_PROG_ALL) in the usual order:
 * @p path (or REPORTFLOW_CONFIG, or config/reportflow.conf when it exists), then the
 * environment, then each "key=value" of @p overrides (rf_config_set()).
 * @returns a new configuration, or NULL with errstr.
 */
struct rf_config *rf_config_build(unsigned programs, const char *path, char **overrides,
                                  size_t override_cnt, char **envp, char *errstr,
                                  size_t errstr_size);

/**
 * True when one of @p programs (RF_PROG_* bits) reads @p key: a kafka.* key, or a
 * key tagged with one of them. Lets a program hand -X flags on to another it starts.
 */
bool rf_config_reads(unsigned programs, const char *key);

/** Value of a kafka.* pass-through key (without prefix), or NULL. Borrowed. */
const char *rf_config_kafka_get(const struct rf_config *cfg, const char *key);

/**
 * Print every key the configuration's programs read with its description and resolved
 * value, secrets masked (rf_secret_mask()), in file syntax.
 */
void rf_config_print(const struct rf_config *cfg, FILE *out);

#endif
