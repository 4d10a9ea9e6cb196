/* config.c - the configuration table, its parser and the file/env/flag layering. */
#include "reportflow/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <libpq-fe.h>

#include "reportflow/buf.h"
#include "reportflow/secret.h"

/* FIELD_CONNINFO: a string libpq must be able to parse */
enum field_type { FIELD_STRING, FIELD_INT, FIELD_BOOL, FIELD_ENUM, FIELD_CONNINFO };

struct field {
    const char *name;        /* dotted key */
    unsigned programs;       /* RF_PROG_* that read it */
    enum field_type type;    /* how the value is parsed */
    size_t offset;           /* where it lives in struct rf_config */
    const char *def;         /* default, in file syntax */
    const char *choices;     /* FIELD_ENUM: "a|b|c" */
    long long min, max;      /* FIELD_INT bounds */
    const char *description; /* one line for --print-config and docs */
};

#define STR(key, progs, member, def, desc)                                                         \
    {                                                                                              \
        key, progs, FIELD_STRING, offsetof(struct rf_config, member), def, NULL, 0, 0, desc        \
    }
#define INT(key, progs, member, def, lo, hi, desc)                                                 \
    {                                                                                              \
        key, progs, FIELD_INT, offsetof(struct rf_config, member), def, NULL, lo, hi, desc         \
    }
#define BOOL(key, progs, member, def, desc)                                                        \
    {                                                                                              \
        key, progs, FIELD_BOOL, offsetof(struct rf_config, member), def, NULL, 0, 0, desc          \
    }
#define CONNINFO(key, progs, member, def, desc)                                                    \
    {                                                                                              \
        key, progs, FIELD_CONNINFO, offsetof(struct rf_config, member), def, NULL, 0, 0, desc      \
    }
#define ENUM(key, progs, member, def, choices, desc)                                               \
    {                                                                                              \
        key, progs, FIELD_ENUM, offsetof(struct rf_config, member), def, choices, 0, 0, desc       \
    }

/*
 * Who reads each key, as the code does. A program's own keys are tagged with it alone;
 * the common code reads the others for every program that calls it:
 */
/* rf_daemon_main() (metrics.listen), rf_kafka_check_topics() (topic.check), progress lines */
#define DAEMONS (RF_PROG_PRODUCER | RF_PROG_WORKER | RF_PROG_SINK)
/* rf_kafka_conf_new(): kafka.* and broker.address_file. Not reportflow-broker: its own
 * client connects nowhere (it reads broker.address_file to write it) */
#define KAFKA_CLIENTS (DAEMONS | RF_PROG_LAG | RF_PROG_TOPICS | RF_PROG_REPROCESS)
/* rf_topics_ensure() creates and checks the topics, rf_topics_largest_record_bytes()
 * sizes produce and fetch requests: the daemons' clients and reportflow-topics */
#define TOPIC_USERS (DAEMONS | RF_PROG_TOPICS | RF_PROG_REPROCESS)
/* reportflow-reprocess reads the workers' keys it hands to the workers it starts */
#define WORKER_KEYS (RF_PROG_WORKER | RF_PROG_REPROCESS)

static const struct field fields[] = {
    ENUM("log.level", RF_PROG_ALL, log_level, "info", "error|warn|info|debug|trace",
         "least severe level logged"),
    ENUM("log.format", RF_PROG_ALL, log_format, "text", "text|json", "log line format on stderr"),
    STR("metrics.listen", DAEMONS, metrics_listen, "",
        "host:port serving /metrics and /healthz; empty: off"),
    STR("topic.raw", TOPIC_USERS | RF_PROG_LAG | RF_PROG_BROKER, topic_raw, "reports.raw",
        "topic of raw report files"),
    STR("topic.events", TOPIC_USERS | RF_PROG_LAG | RF_PROG_BROKER, topic_events, "reports.events",
        "topic of extracted envelopes"),
    STR("topic.dlq", TOPIC_USERS | RF_PROG_LAG | RF_PROG_BROKER, topic_dlq, "reports.dlq",
        "dead-letter topic"),
    INT("topic.raw.partitions", TOPIC_USERS | RF_PROG_BROKER, raw_partitions, "12", 1, 1024,
        "partitions reportflow-topics creates"),
    INT("topic.events.partitions", TOPIC_USERS | RF_PROG_BROKER, events_partitions, "12", 1, 1024,
        "partitions reportflow-topics creates"),
    INT("topic.dlq.partitions", TOPIC_USERS | RF_PROG_BROKER, dlq_partitions, "3", 1, 1024,
        "partitions reportflow-topics creates"),
    INT("topic.replication_factor", TOPIC_USERS, topic_replication_factor, "1", 1, 16,
        "replicas of each topic reportflow creates (3 on a 3-broker cluster)"),
    INT("topic.min_insync_replicas", TOPIC_USERS, topic_min_insync_replicas, "1", 1, 16,
        "replicas that must have a record before acks=all succeeds (2 of 3)"),
    BOOL("topic.check", DAEMONS, topic_check, "true",
         "create missing topics and check existing ones at start (off for the embedded broker, "
         "which lacks the admin calls)"),
    STR("watch.dir", RF_PROG_PRODUCER, watch_dir, "inbox", "directory the producer watches"),
    BOOL("watch.recursive", RF_PROG_PRODUCER, watch_recursive, "false",
         "also watch subdirectories"),
    STR("watch.ignore", RF_PROG_PRODUCER, watch_ignore, ".*,*.tmp,*.part,*~",
        "comma-separated globs never sent"),
    INT("watch.quiet_ms", RF_PROG_PRODUCER, watch_quiet_ms, "2000", 1, 3600000,
        "a file is sent once unchanged this long, with no writer holding it open"),
    INT("watch.rescan_ms", RF_PROG_PRODUCER, watch_rescan_ms, "30000", 100, 86400000,
        "periodic safety rescan"),
    ENUM("archive.mode", RF_PROG_PRODUCER, archive_mode, "move", "move|delete",
         "what happens to a delivered file"),
    STR("archive.dir", RF_PROG_PRODUCER, archive_dir, "done",
        "where delivered files go (dated subfolders)"),
    STR("failed.dir", RF_PROG_PRODUCER, failed_dir, "failed",
        "where unsendable files go, with NAME.error"),
    INT("producer.max_file_bytes", TOPIC_USERS | RF_PROG_EXTRACT, max_file_bytes, "67108864", 1,
        1000000000, "larger files fail"),
    INT("producer.max_inflight_bytes", RF_PROG_PRODUCER, max_inflight_bytes, "67108864", 1024,
        4000000000LL, "bytes sent but not yet acknowledged"),
    INT("producer.max_inflight_files", RF_PROG_PRODUCER, max_inflight_files, "2000", 1, 1000000,
        "files sent but not yet acknowledged"),
    INT("producer.flush_timeout_ms", RF_PROG_PRODUCER, flush_timeout_ms, "10000", 0, 3600000,
        "shutdown waits this long for acknowledgements"),
    INT("progress.interval_ms", DAEMONS | RF_PROG_REPROCESS, progress_ms, "5000", 100, 3600000,
        "progress log interval"),
    STR("worker.group", WORKER_KEYS | RF_PROG_LAG, worker_group, "reportflow-workers",
        "consumer group of the workers"),
    STR("worker.rules", WORKER_KEYS | RF_PROG_EVAL | RF_PROG_EXTRACT, rules_path,
        "config/rules/emergency-management-annual.json", "metric rule file"),
    BOOL("worker.reprocess", RF_PROG_WORKER, worker_reprocess, "false",
         "serve reprocess runs of worker.rules's rule set (its work topic, in its group) instead "
         "of topic.raw"),
    INT("worker.batch_bytes", WORKER_KEYS, worker_batch_bytes, "67108864", 65536, 4000000000LL,
        "raw and envelope bytes a worker holds per batch; the batch settles when it is reached"),
    INT("worker.batch_size", WORKER_KEYS, worker_batch, "64", 1, 100000,
        "raw records per produce-and-ack round"),
    INT("worker.max_extract_ms", WORKER_KEYS | RF_PROG_EXTRACT, worker_max_extract_ms, "3000", 0,
        3600000,
        "CPU time per document; past it the record goes to the DLQ (extract-timeout); 0: none"),
    INT("worker.max_convert_ms", WORKER_KEYS | RF_PROG_EXTRACT, worker_max_convert_ms, "120000",
        1000, 3600000,
        "wall-clock time a document's converter (pdftotext, LibreOffice) may take; past it the "
        "record goes to the DLQ (convert-timeout)"),
    BOOL("worker.ocr", WORKER_KEYS | RF_PROG_EXTRACT, worker_ocr, "true",
         "read a PDF's scanned pages by OCR (tesseract), when it is installed; off, a PDF of "
         "scans goes to the DLQ (needs-ocr)"),
    INT("worker.max_envelope_bytes", TOPIC_USERS | RF_PROG_EXTRACT, worker_max_envelope_bytes,
        "8388608", 65536, 16000000,
        "larger envelopes go to the DLQ (envelope-too-large); sizes the events topic"),
    STR("sink.group", RF_PROG_SINK | RF_PROG_LAG | RF_PROG_REPROCESS, sink_group, "reportflow-sink",
        "consumer group of the sink"),
    CONNINFO("pg.conninfo", RF_PROG_SINK | RF_PROG_REPORT | RF_PROG_REPROCESS, pg_conninfo, "",
             "libpq connection string; empty: PG* variables"),
    INT("sink.batch_docs", RF_PROG_SINK, sink_batch_docs, "500", 1, 100000,
        "documents per transaction"),
    INT("sink.batch_ms", RF_PROG_SINK, sink_batch_ms, "0", 0, 600000,
        "how long a batch waits for more records while PostgreSQL is idle; 0: written at once "
        "(while a transaction runs, the next batch fills anyway)"),
    INT("sink.retry_max_ms", RF_PROG_SINK, sink_retry_max_ms, "2000", 100, 10000,
        "cap of reconnect backoff"),
    INT("sink.batch_bytes", RF_PROG_SINK, sink_batch_bytes, "67108864", 1024, 4000000000LL,
        "bytes a batch holds (records and their rows) before it closes; one larger record "
        "goes alone"),
    INT("sink.max_outage_ms", RF_PROG_SINK, sink_max_outage_ms, "300000", 1000, 86400000,
        "longer than this unable to write: leave the group (hand the partitions back) "
        "until PostgreSQL answers"),
    INT("pg.statement_timeout_ms", RF_PROG_SINK, pg_statement_timeout_ms, "60000", 10, 86400000,
        "statement_timeout of each sink transaction; a statement unanswered this long plus "
        "5 s drops the connection"),
    INT("reprocess.max_live_lag", RF_PROG_REPROCESS, reprocess_max_live_lag, "200", 0, 1000000000,
        "records the live groups (worker.group, sink.group) may lag before a reprocess stops "
        "feeding its workers until they catch up; 0: never wait"),
    STR("broker.address_file", KAFKA_CLIENTS | RF_PROG_BROKER, broker_address_file, "",
        "reportflow-broker writes its address here"),
    INT("broker.count", RF_PROG_BROKER, broker_count, "1", 1, 16,
        "brokers in the embedded cluster"),
    STR("lag.groups", RF_PROG_LAG, lag_groups, "reportflow-workers,reportflow-sink",
        "groups reportflow-lag reports"),
    INT("lag.window_s", RF_PROG_LAG, lag_window_s, "60", 1, 86400, "window of the lag status rule"),
    INT("lag.stop_s", RF_PROG_LAG, lag_stop_s, "120", 1, 86400,
        "no commit for this long with lag is STOP"),
};

/* Who reads the kafka.* pass-through keys: the programs that make a client with them. */
#define KAFKA_READERS KAFKA_CLIENTS

/* Program names by bit of enum rf_program, for messages. */
static const char *const program_names[] = {
    "reportflow-producer", "reportflow-worker",    "reportflow-sink", "reportflow-lag",
    "reportflow-topics",   "reportflow-broker",    "reportflow-eval", "reportflow-extract",
    "reportflow-report",   "reportflow-reprocess",
};

#define FIELD_CNT (sizeof(fields) / sizeof(fields[0]))
#define PROGRAM_CNT (sizeof(program_names) / sizeof(program_names[0]))
_Static_assert(RF_PROG_ALL == (1 << PROGRAM_CNT) - 1, "one name per program");

static const struct field *field_find(const char *key)
{
    for (size_t i = 0; i < FIELD_CNT; i++) {
        if (strcmp(fields[i].name, key) == 0) {
            return &fields[i];
        }
    }
    return NULL;
}

static bool choice_allowed(const char *choices, const char *value)
{
    size_t len = strlen(value);
    const char *p = choices;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == len && strncmp(p, value, n) == 0) {
            return true;
        }
        p += n + (bar ? 1 : 0);
    }
    return false;
}

static int parse_bool(const char *value, bool *out)
{
    if (!strcmp(value, "true") || !strcmp(value, "1") || !strcmp(value, "yes")) {
        *out = true;
        return 0;
    }
    if (!strcmp(value, "false") || !strcmp(value, "0") || !strcmp(value, "no")) {
        *out = false;
        return 0;
    }
    return -1;
}

static bool conninfo_parses(const char *value)
{
    char *why = NULL;
    PQconninfoOption *opts = PQconninfoParse(value, &why);
    PQfreemem(why); /* never shown: it may quote the password */
    PQconninfoFree(opts);
    return opts != NULL;
}

static int set_field(struct rf_config *cfg, const struct field *f, const char *value,
                     const char *origin, char *errstr, size_t errstr_size)
{
    char *base = (char *)cfg + f->offset;
    const char *shown = rf_secret_key(f->name) ? RF_SECRET_MASK : value; /* in messages */
    switch (f->type) {
    case FIELD_ENUM:
        if (!choice_allowed(f->choices, value)) {
            snprintf(errstr, errstr_size, "%s: bad value '%s' for '%s': expected one of %s", origin,
                     shown, f->name, f->choices);
            return -1;
        }
        /* fall through */
    case FIELD_CONNINFO:
        if (f->type == FIELD_CONNINFO && !conninfo_parses(value)) {
            /* libpq's own reason quotes the offending token, which may be the password */
            snprintf(errstr, errstr_size,
                     "%s: bad value for '%s': not a libpq connection string (key=value pairs "
                     "or a postgresql:// URI with %%-encoded special characters; libpq's reason "
                     "is not shown, it may quote the password)",
                     origin, f->name);
            return -1;
        }
        /* fall through */
    case FIELD_STRING: {
        char *copy = strdup(value);
        if (!copy) {
            snprintf(errstr, errstr_size, "%s: out of memory", origin);
            return -1;
        }
        char **slot = (char **)base;
        free(*slot);
        *slot = copy;
        return 0;
    }
    case FIELD_INT: {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end != '\0' || v < f->min || v > f->max) {
            snprintf(errstr, errstr_size,
                     "%s: bad value '%s' for '%s': expected an integer from %lld to %lld", origin,
                     shown, f->name, f->min, f->max);
            return -1;
        }
        *(long long *)base = v;
        return 0;
    }
    case FIELD_BOOL:
        if (parse_bool(value, (bool *)base) != 0) {
            snprintf(errstr, errstr_size, "%s: bad value '%s' for '%s': expected true or false",
                     origin, shown, f->name);
            return -1;
        }
        return 0;
    }
    return -1;
}

/*
 * Whether librdkafka has a client or topic property @p name (aliases and its hidden test
 * properties too): set to "" on a scratch configuration, only an unknown name is
 * RD_KAFKA_CONF_UNKNOWN (a known one is OK or INVALID). "" loads nothing, even for
 * plugin.library.paths.
 */
static bool kafka_property_known(const char *name)
{
    rd_kafka_conf_t *scratch = rd_kafka_conf_new();
    if (!scratch) {
        return true; /* out of memory: librdkafka judges the key when a client is made */
    }
    char why[512];
    bool known = rd_kafka_conf_set(scratch, name, "", why, sizeof(why)) != RD_KAFKA_CONF_UNKNOWN;
    rd_kafka_conf_destroy(scratch);
    return known;
}

static int set_kafka(struct rf_config *cfg, const char *key, const char *value, const char *origin,
                     char *errstr, size_t errstr_size)
{
    if (*key == '\0') {
        snprintf(errstr, errstr_size, "%s: empty librdkafka property after 'kafka.'", origin);
        return -1;
    }
    if (!kafka_property_known(key)) {
        /* a misspelt secret (kafka.sasl.pasword) must not reach an error message or
         * --print-config: no unknown property is shown with its value */
        snprintf(errstr, errstr_size,
                 "%s: unknown librdkafka property 'kafka.%s' (value not shown)", origin, key);
        return -1;
    }
    for (size_t i = 0; i < cfg->kafka_cnt; i++) {
        if (strcmp(cfg->kafka[i].key, key) == 0) {
            char *copy = strdup(value);
            if (!copy) {
                goto out_nomem;
            }
            free(cfg->kafka[i].value);
            cfg->kafka[i].value = copy;
            return 0;
        }
    }
    struct rf_config_kv *grown = realloc(cfg->kafka, (cfg->kafka_cnt + 1) * sizeof(*grown));
    if (!grown) {
        goto out_nomem;
    }
    cfg->kafka = grown;
    grown[cfg->kafka_cnt].key = strdup(key);
    grown[cfg->kafka_cnt].value = strdup(value);
    if (!grown[cfg->kafka_cnt].key || !grown[cfg->kafka_cnt].value) {
        free(grown[cfg->kafka_cnt].key);
        free(grown[cfg->kafka_cnt].value);
        goto out_nomem;
    }
    cfg->kafka_cnt++;
    return 0;
out_nomem:
    snprintf(errstr, errstr_size, "%s: out of memory", origin);
    return -1;
}

/*
 * Where a key=value comes from decides what a key of another program means.
 *
 * SCOPE_SHARED, a file or the environment: accepted without a word. One file serves
 * every program (config/reportflow.conf, which the Docker image and scripts/stack.sh
 * name in REPORTFLOW_CONFIG), and variables are set once for every program started:
 * the image sets REPORTFLOW_WORKER_RULES in the sink's and the producer's containers
 * too, stack.sh exports REPORTFLOW_PG_CONNINFO and REPORTFLOW_WATCH_DIR to the broker
 * and the workers, the tests export REPORTFLOW_LAG_WINDOW_S to everything. That is how
 * a Kafka user's client.properties or a PostgreSQL user's PG* variables work: many
 * tools read one source and each takes what it knows. A key no program reads is still
 * an error there, and so is a bad value of any program's key: the file is one
 * document, and whichever program starts first reports its mistakes.
 *
 * SCOPE_OWN, the command line (-X, rf_config_set()): addressed to this process alone,
 * which would silently ignore a key it does not read; refused, naming the program.
 */
enum scope { SCOPE_SHARED, SCOPE_OWN };

/* "a, b and c": the names of the programs in @p programs. */
static void program_list(unsigned programs, char *out, size_t out_size)
{
    size_t cnt = 0, total = 0, used = 0;
    for (size_t i = 0; i < PROGRAM_CNT; i++) {
        total += (programs >> i) & 1u;
    }
    out[0] = '\0';
    for (size_t i = 0; i < PROGRAM_CNT && used < out_size; i++) {
        if (!((programs >> i) & 1u)) {
            continue;
        }
        const char *sep = cnt == 0 ? "" : cnt + 1 == total ? " and " : ", ";
        int n = snprintf(out + used, out_size - used, "%s%s", sep, program_names[i]);
        used += n > 0 ? (size_t)n : 0;
        cnt++;
    }
}

/* Refuse @p key, read by @p readers only, on behalf of @p cfg's programs. @returns -1. */
static int not_read(const struct rf_config *cfg, const char *key, unsigned readers,
                    const char *origin, char *errstr, size_t errstr_size)
{
    char ours[256], theirs[256];
    program_list(cfg->programs, ours, sizeof(ours));
    program_list(readers, theirs, sizeof(theirs));
    snprintf(errstr, errstr_size, "%s: %s does not read '%s' (%s %s)", origin, ours, key, theirs,
             (readers & (readers - 1)) ? "do" : "does");
    return -1;
}

bool rf_config_reads(unsigned programs, const char *key)
{
    if (strncmp(key, "kafka.", 6) == 0) {
        return (KAFKA_READERS & programs) != 0;
    }
    const struct field *f = field_find(key);
    return f && (f->programs & programs) != 0;
}

static int set_key(struct rf_config *cfg, const char *key, const char *value, const char *origin,
                   enum scope scope, char *errstr, size_t errstr_size)
{
    bool kafka = strncmp(key, "kafka.", 6) == 0;
    const struct field *f = kafka ? NULL : field_find(key);
    if (!kafka && !f) {
        snprintf(errstr, errstr_size, "%s: unknown key '%s'", origin, key);
        return -1;
    }
    unsigned readers = kafka ? KAFKA_READERS : f->programs;
    if (scope == SCOPE_OWN && !(readers & cfg->programs)) {
        return not_read(cfg, key, readers, origin, errstr, errstr_size);
    }
    return kafka ? set_kafka(cfg, key + 6, value, origin, errstr, errstr_size)
                 : set_field(cfg, f, value, origin, errstr, errstr_size);
}

int rf_config_set(struct rf_config *cfg, const char *key, const char *value, const char *origin,
                  char *errstr, size_t errstr_size)
{
    return set_key(cfg, key, value, origin, SCOPE_OWN, errstr, errstr_size);
}

struct rf_config *rf_config_new(unsigned programs)
{
    char errstr[256];
    struct rf_config *cfg = calloc(1, sizeof(*cfg));
    if (!cfg) {
        return NULL;
    }
    cfg->programs = programs;
    for (size_t i = 0; i < FIELD_CNT; i++) {
        if (set_field(cfg, &fields[i], fields[i].def, "default", errstr, sizeof(errstr)) != 0) {
            rf_config_free(cfg);
            return NULL;
        }
    }
    return cfg;
}

void rf_config_free(struct rf_config *cfg)
{
    if (!cfg) {
        return;
    }
    for (size_t i = 0; i < FIELD_CNT; i++) {
        if (fields[i].type == FIELD_STRING || fields[i].type == FIELD_ENUM ||
            fields[i].type == FIELD_CONNINFO) {
            free(*(char **)((char *)cfg + fields[i].offset));
        }
    }
    for (size_t i = 0; i < cfg->kafka_cnt; i++) {
        free(cfg->kafka[i].key);
        free(cfg->kafka[i].value);
    }
    free(cfg->kafka);
    free(cfg);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) {
        s++;
    }
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1])) {
        *--end = '\0';
    }
    return s;
}

int rf_config_load_file(struct rf_config *cfg, const char *path, char *errstr, size_t errstr_size)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        snprintf(errstr, errstr_size, "cannot open config file '%s': %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0;
    int rc = 0;
    while (rc == 0 && getline(&line, &cap, fp) != -1) {
        char origin[512];
        lineno++;
        snprintf(origin, sizeof(origin), "%s:%d", path, lineno);
        char *s = trim(line);
        if (*s == '\0' || *s == '#') {
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            /* not quoted: a line without '=' may be a secret pasted alone */
            snprintf(errstr, errstr_size,
                     "%s: expected 'key=value' (the line is not shown: it may hold a secret)",
                     origin);
            rc = -1;
            break;
        }
        *eq = '\0';
        rc = set_key(cfg, trim(s), trim(eq + 1), origin, SCOPE_SHARED, errstr, errstr_size);
    }
    free(line);
    fclose(fp);
    return rc;
}

/* REPORTFLOW_WATCH_DIR -> watch.dir; REPORTFLOW_KAFKA_SASL_USERNAME -> kafka.sasl.username. */
static void env_name_to_key(const char *name, char *key, size_t key_size)
{
    size_t i = 0;
    for (; name[i] && i + 1 < key_size; i++) {
        key[i] = name[i] == '_' ? '.' : (char)tolower((unsigned char)name[i]);
    }
    key[i] = '\0';
}

static bool env_name_for_field(const char *key, const char *name, size_t name_len)
{
    size_t k = strlen(key);
    if (k != name_len) {
        return false;
    }
    for (size_t i = 0; i < k; i++) {
        char want = key[i] == '.' ? '_' : (char)toupper((unsigned char)key[i]);
        if (name[i] != want) {
            return false;
        }
    }
    return true;
}

int rf_config_load_env(struct rf_config *cfg, char **envp, char *errstr, size_t errstr_size)
{
    static const char prefix[] = "REPORTFLOW_";
    for (char **e = envp; e && *e; e++) {
        if (strncmp(*e, prefix, sizeof(prefix) - 1) != 0) {
            continue;
        }
        const char *name = *e + sizeof(prefix) - 1;
        const char *eq = strchr(name, '=');
        if (!eq) {
            continue;
        }
        size_t name_len = (size_t)(eq - name);
        char origin[300];
        snprintf(origin, sizeof(origin), "environment %.*s", (int)(eq - *e), *e);
        if (strncmp(name, "KAFKA_", 6) == 0) {
            char key[256];
            char tmp[256];
            snprintf(tmp, sizeof(tmp), "%.*s", (int)name_len, name);
            env_name_to_key(tmp, key, sizeof(key));
            if (set_key(cfg, key, eq + 1, origin, SCOPE_SHARED, errstr, errstr_size) != 0) {
                return -1;
            }
            continue;
        }
        if (name_len == 6 && strncmp(name, "CONFIG", 6) == 0) {
            continue; /* the file path itself, handled by rf_config_build() */
        }
        const struct field *match = NULL;
        for (size_t i = 0; i < FIELD_CNT && !match; i++) {
            if (env_name_for_field(fields[i].name, name, name_len)) {
                match = &fields[i];
            }
        }
        if (!match) {
            snprintf(errstr, errstr_size, "%s: no such configuration key", origin);
            return -1;
        }
        if (set_field(cfg, match, eq + 1, origin, errstr, errstr_size) != 0) { /* SCOPE_SHARED */
            return -1;
        }
    }
    return 0;
}

struct rf_config *rf_config_build(unsigned programs, const char *path, char **overrides,
                                  size_t override_cnt, char **envp, char *errstr,
                                  size_t errstr_size)
{
    struct rf_config *cfg = rf_config_new(programs);
    if (!cfg) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    if (!path) {
        path = getenv("REPORTFLOW_CONFIG");
    }
    if (!path && access(RF_CONFIG_DEFAULT_PATH, R_OK) == 0) {
        path = RF_CONFIG_DEFAULT_PATH;
    }
    if (path && rf_config_load_file(cfg, path, errstr, errstr_size) != 0) {
        goto out_fail;
    }
    if (rf_config_load_env(cfg, envp, errstr, errstr_size) != 0) {
        goto out_fail;
    }
    for (size_t i = 0; i < override_cnt; i++) {
        char key[256];
        const char *eq = strchr(overrides[i], '=');
        if (!eq || eq == overrides[i] || (size_t)(eq - overrides[i]) >= sizeof(key)) {
            snprintf(errstr, errstr_size,
                     "-X: expected key=value (the argument is not shown: it may hold a secret)");
            goto out_fail;
        }
        snprintf(key, sizeof(key), "%.*s", (int)(eq - overrides[i]), overrides[i]);
        if (rf_config_set(cfg, key, eq + 1, "-X", errstr, errstr_size) != 0) {
            goto out_fail;
        }
    }
    return cfg;
out_fail:
    rf_config_free(cfg);
    return NULL;
}

const char *rf_config_kafka_get(const struct rf_config *cfg, const char *key)
{
    for (size_t i = 0; i < cfg->kafka_cnt; i++) {
        if (strcmp(cfg->kafka[i].key, key) == 0) {
            return cfg->kafka[i].value;
        }
    }
    return NULL;
}

/* One "key=value" line, the value masked; on ENOMEM the value is withheld, never shown. */
static void print_masked(FILE *out, const char *prefix, const char *key, const char *value)
{
    char full[300];
    snprintf(full, sizeof(full), "%s%s", prefix, key);
    char *masked = rf_secret_mask(full, value);
    fprintf(out, "%s=%s\n", full, masked ? masked : RF_SECRET_MASK);
    free(masked);
}

static void print_field(const struct rf_config *cfg, const struct field *f, FILE *out)
{
    const char *base = (const char *)cfg + f->offset;
    fprintf(out, "# %s\n", f->description);
    switch (f->type) {
    case FIELD_STRING:
    case FIELD_ENUM:
    case FIELD_CONNINFO:
        print_masked(out, "", f->name, *(char *const *)base);
        break;
    case FIELD_INT:
        fprintf(out, "%s=%lld\n", f->name, *(const long long *)base);
        break;
    case FIELD_BOOL:
        fprintf(out, "%s=%s\n", f->name, *(const bool *)base ? "true" : "false");
        break;
    }
}

void rf_config_print(const struct rf_config *cfg, FILE *out)
{
    for (size_t i = 0; i < FIELD_CNT; i++) {
        if (fields[i].programs & cfg->programs) {
            print_field(cfg, &fields[i], out);
        }
    }
    for (size_t i = 0; i < cfg->kafka_cnt && (KAFKA_READERS & cfg->programs); i++) {
        print_masked(out, "kafka.", cfg->kafka[i].key, cfg->kafka[i].value);
    }
}
