/* cluster.c - groups, members, committed and log-end offsets, and record ages from Kafka. */
#include "cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/clock.h"
#include "reportflow/kafka.h"
#include "reportflow/utf8.h"
#include "reportflow/vec.h"

#define TIMEOUT_MS 5000

/* Whether the broker answers ListGroups/DescribeGroups (the embedded broker does not). */
enum group_api { GROUP_API_UNKNOWN, GROUP_API_YES, GROUP_API_NO };

struct cluster {
    rd_kafka_t *rk;          /* a consumer that never joins a group: admin calls and reads */
    rd_kafka_queue_t *queue; /* admin results */
    enum group_api group_api;
};

struct cluster *cluster_new(const struct rf_config *cfg, char *errstr, size_t errstr_size)
{
    const char *const defaults[] = {"group.id",
                                    "reportflow-lag-reader",
                                    "enable.auto.commit",
                                    "false",
                                    "enable.auto.offset.store",
                                    "false",
                                    "auto.offset.reset",
                                    "earliest",
                                    "enable.partition.eof",
                                    "false",
                                    NULL};
    struct cluster *c = calloc(1, sizeof(*c));
    if (!c) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    rd_kafka_conf_t *conf = rf_kafka_conf_new(cfg, defaults, errstr, errstr_size);
    c->rk = conf ? rf_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errstr_size) : NULL;
    c->queue = c->rk ? rd_kafka_queue_new(c->rk) : NULL;
    if (!c->queue) {
        if (c->rk) {
            snprintf(errstr, errstr_size, "cannot create a queue for admin results");
        }
        cluster_free(c);
        return NULL;
    }
    return c;
}

void cluster_free(struct cluster *c)
{
    if (!c) {
        return;
    }
    if (c->queue) {
        rd_kafka_queue_destroy(c->queue);
    }
    if (c->rk) {
        rd_kafka_destroy(c->rk);
    }
    free(c);
}

static rd_kafka_AdminOptions_t *admin_options(struct cluster *c, rd_kafka_admin_op_t op)
{
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(c->rk, op);
    char ignored[128];
    if (o) {
        rd_kafka_AdminOptions_set_request_timeout(o, TIMEOUT_MS, ignored, sizeof(ignored));
    }
    return o;
}

/* The result of the admin call just issued, or NULL with why in err. Destroy with
 * rd_kafka_event_destroy. */
static rd_kafka_event_t *admin_result(struct cluster *c, rd_kafka_event_type_t type,
                                      const char *what, char *err, size_t err_size)
{
    int64_t deadline = rf_clock_mono_ms() + TIMEOUT_MS + 2000;
    while (rf_clock_mono_ms() < deadline) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(c->queue, 500);
        if (!ev) {
            continue;
        }
        if (rd_kafka_event_type(ev) != type) {
            rd_kafka_event_destroy(ev); /* a late answer to an earlier call that timed out */
            continue;
        }
        if (rd_kafka_event_error(ev)) {
            snprintf(err, err_size, "%s: %s", what, rd_kafka_event_error_string(ev));
            rd_kafka_event_destroy(ev);
            return NULL;
        }
        return ev;
    }
    snprintf(err, err_size, "%s: no answer within %d ms", what, TIMEOUT_MS + 2000);
    return NULL;
}

/*
 * Against a broker without ListGroups/DescribeGroups (the embedded one),
 * librdkafka 2.0.2's DescribeConsumerGroups aborts on an assertion in its
 * fan-out and ListConsumerGroups leaks its error. The legacy
 * rd_kafka_list_groups() of one group fails cleanly, so it probes first.
 */
static bool group_api_ready(struct cluster *c, char *err, size_t err_size)
{
    if (c->group_api == GROUP_API_UNKNOWN) {
        const struct rd_kafka_group_list *list = NULL;
        rd_kafka_resp_err_t e =
            rd_kafka_list_groups(c->rk, "reportflow-lag-probe", &list, TIMEOUT_MS);
        if (list) {
            rd_kafka_group_list_destroy(list);
        }
        c->group_api = e == RD_KAFKA_RESP_ERR_NO_ERROR               ? GROUP_API_YES
                       : e == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE ? GROUP_API_NO
                                                                     : GROUP_API_UNKNOWN;
        if (c->group_api == GROUP_API_UNKNOWN) {
            snprintf(err, err_size, "cannot ask the broker about groups: %s", rd_kafka_err2str(e));
            return false;
        }
    }
    if (c->group_api == GROUP_API_NO) {
        snprintf(err, err_size,
                 "the broker cannot list or describe groups (no ListGroups/DescribeGroups: "
                 "the embedded broker lacks them)");
        return false;
    }
    return true;
}

void cluster_names_free(char **names, size_t cnt)
{
    for (size_t i = 0; names && i < cnt; i++) {
        free(names[i]);
    }
    free(names);
}

int cluster_list_groups(struct cluster *c, char ***names, size_t *cnt, char *err, size_t err_size)
{
    *names = NULL;
    *cnt = 0;
    if (!group_api_ready(c, err, err_size)) {
        return -1;
    }
    rd_kafka_AdminOptions_t *o = admin_options(c, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
    rd_kafka_ListConsumerGroups(c->rk, o, c->queue);
    rd_kafka_event_t *ev = admin_result(c, RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT,
                                        "cannot list consumer groups", err, err_size);
    if (o) {
        rd_kafka_AdminOptions_destroy(o);
    }
    if (!ev) {
        return -1;
    }
    const rd_kafka_ListConsumerGroups_result_t *res = rd_kafka_event_ListConsumerGroups_result(ev);
    size_t n = 0, nerr = 0;
    const rd_kafka_ConsumerGroupListing_t **valid =
        rd_kafka_ListConsumerGroups_result_valid(res, &n);
    const rd_kafka_error_t **errors = rd_kafka_ListConsumerGroups_result_errors(res, &nerr);
    int rc = 0;
    if (n == 0 && nerr > 0) {
        snprintf(err, err_size, "cannot list consumer groups: %s",
                 rd_kafka_error_string(errors[0]));
        rc = -1;
    }
    *names = rc == 0 ? calloc(n + 1, sizeof(**names)) : NULL;
    for (size_t i = 0; *names && i < n; i++) {
        if (!((*names)[*cnt] = strdup(rd_kafka_ConsumerGroupListing_group_id(valid[i])))) {
            break;
        }
        (*cnt)++;
    }
    if (rc == 0 && (!*names || *cnt < n)) {
        snprintf(err, err_size, "out of memory listing consumer groups");
        cluster_names_free(*names, *cnt);
        *names = NULL;
        *cnt = 0;
        rc = -1;
    }
    rd_kafka_event_destroy(ev);
    return rc;
}

void cluster_group_info_release(struct cluster_group_info *info)
{
    free(info->owners);
    memset(info, 0, sizeof(*info));
}

static int add_owners(struct cluster_group_info *out, const rd_kafka_MemberDescription_t *m)
{
    const rd_kafka_MemberAssignment_t *a = rd_kafka_MemberDescription_assignment(m);
    const rd_kafka_topic_partition_list_t *parts =
        a ? rd_kafka_MemberAssignment_partitions(a) : NULL;
    if (!parts || parts->cnt == 0) {
        return 0;
    }
    struct cluster_owner *grown = rf_vec_reserve(out->owners, &out->owner_cap, out->owner_cnt,
                                                 (size_t)parts->cnt, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    out->owners = grown;
    for (int i = 0; i < parts->cnt; i++) {
        struct cluster_owner *o = &out->owners[out->owner_cnt++];
        rf_utf8_copy_str(o->topic, sizeof(o->topic), parts->elems[i].topic);
        o->partition = parts->elems[i].partition;
        rf_utf8_copy_str(o->consumer_id, sizeof(o->consumer_id),
                         rd_kafka_MemberDescription_consumer_id(m));
        rf_utf8_copy_str(o->host, sizeof(o->host), rd_kafka_MemberDescription_host(m));
        rf_utf8_copy_str(o->client_id, sizeof(o->client_id),
                         rd_kafka_MemberDescription_client_id(m));
    }
    return 0;
}

int cluster_describe_group(struct cluster *c, const char *group, struct cluster_group_info *out,
                           char *err, size_t err_size)
{
    memset(out, 0, sizeof(*out));
    if (!group_api_ready(c, err, err_size)) {
        return -1;
    }
    rd_kafka_AdminOptions_t *o = admin_options(c, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
    const char *groups[] = {group};
    rd_kafka_DescribeConsumerGroups(c->rk, groups, 1, o, c->queue);
    char what[192];
    snprintf(what, sizeof(what), "cannot describe group '%s'", group);
    rd_kafka_event_t *ev =
        admin_result(c, RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT, what, err, err_size);
    if (o) {
        rd_kafka_AdminOptions_destroy(o);
    }
    if (!ev) {
        return -1;
    }
    size_t n = 0;
    const rd_kafka_ConsumerGroupDescription_t **descs =
        rd_kafka_DescribeConsumerGroups_result_groups(
            rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
    const rd_kafka_error_t *e = n == 1 ? rd_kafka_ConsumerGroupDescription_error(descs[0]) : NULL;
    int rc = 0;
    if (n != 1 || e) {
        snprintf(err, err_size, "%s: %s", what, e ? rd_kafka_error_string(e) : "no description");
        rc = -1;
    } else {
        snprintf(
            out->state, sizeof(out->state), "%s",
            rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(descs[0])));
        size_t members = rd_kafka_ConsumerGroupDescription_member_count(descs[0]);
        out->members = (int)members;
        for (size_t i = 0; rc == 0 && i < members; i++) {
            if (add_owners(out, rd_kafka_ConsumerGroupDescription_member(descs[0], i)) != 0) {
                snprintf(err, err_size, "%s: out of memory", what);
                rc = -1;
            }
        }
    }
    rd_kafka_event_destroy(ev);
    if (rc != 0) {
        cluster_group_info_release(out);
    }
    return rc;
}

/* The group's committed offsets from a group result, as a new list. */
static rd_kafka_topic_partition_list_t *group_offsets(rd_kafka_event_t *ev, const char *what,
                                                      char *err, size_t err_size)
{
    size_t n = 0;
    const rd_kafka_group_result_t **groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
        rd_kafka_event_ListConsumerGroupOffsets_result(ev), &n);
    const rd_kafka_error_t *e = n == 1 ? rd_kafka_group_result_error(groups[0]) : NULL;
    const rd_kafka_topic_partition_list_t *parts =
        n == 1 && !e ? rd_kafka_group_result_partitions(groups[0]) : NULL;
    if (!parts) {
        snprintf(err, err_size, "%s: %s", what, e ? rd_kafka_error_string(e) : "no offsets");
        return NULL;
    }
    for (int i = 0; i < parts->cnt; i++) {
        if (parts->elems[i].err) {
            snprintf(err, err_size, "%s: %s/%d: %s", what, parts->elems[i].topic,
                     parts->elems[i].partition, rd_kafka_err2str(parts->elems[i].err));
            return NULL;
        }
    }
    rd_kafka_topic_partition_list_t *copy = rd_kafka_topic_partition_list_copy(parts);
    if (!copy) {
        snprintf(err, err_size, "%s: out of memory", what);
    }
    return copy;
}

rd_kafka_topic_partition_list_t *cluster_committed(struct cluster *c, const char *group,
                                                   const rd_kafka_topic_partition_list_t *parts,
                                                   char *err, size_t err_size)
{
    char what[192];
    snprintf(what, sizeof(what), "cannot read the committed offsets of group '%s'", group);
    rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(group, parts);
    rd_kafka_AdminOptions_t *o = admin_options(c, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
    if (!req || !o) {
        snprintf(err, err_size, "%s: out of memory", what);
        if (req) {
            rd_kafka_ListConsumerGroupOffsets_destroy(req);
        }
        if (o) {
            rd_kafka_AdminOptions_destroy(o);
        }
        return NULL;
    }
    rd_kafka_ListConsumerGroupOffsets(c->rk, &req, 1, o, c->queue);
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_event_t *ev =
        admin_result(c, RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT, what, err, err_size);
    if (!ev) {
        return NULL;
    }
    rd_kafka_topic_partition_list_t *out = group_offsets(ev, what, err, err_size);
    rd_kafka_event_destroy(ev);
    return out;
}

/*
 * Append every partition of @p topic to @p out. A topic that does not exist is an error,
 * unless @p missing_ok (then it has none). @returns 0, or -1 naming the topic in @p err.
 */
static int topic_partitions(struct cluster *c, const char *topic, bool missing_ok,
                            rd_kafka_topic_partition_list_t *out, char *err, size_t err_size)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(c->rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e =
        rkt ? rd_kafka_metadata(c->rk, 0, rkt, &md, TIMEOUT_MS) : rd_kafka_last_error();
    if (rkt) {
        rd_kafka_topic_destroy(rkt);
    }
    bool missing = false;
    if (!e && md->topic_cnt == 1) {
        e = md->topics[0].err;
        missing = e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
        for (int p = 0; !e && p < md->topics[0].partition_cnt; p++) {
            rd_kafka_topic_partition_list_add(out, topic, md->topics[0].partitions[p].id);
        }
    } else if (!e) {
        e = RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
    }
    if (md) {
        rd_kafka_metadata_destroy(md);
    }
    if (e && !(missing && missing_ok)) {
        snprintf(err, err_size, "no metadata for topic '%s': %s", topic, rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

int cluster_partitions(struct cluster *c, const char *topic, rd_kafka_topic_partition_list_t *out,
                       char *err, size_t err_size)
{
    return topic_partitions(c, topic, false, out, err, err_size);
}

int cluster_watermarks(struct cluster *c, const char *topic, int partition, int64_t *low,
                       int64_t *high, char *err, size_t err_size)
{
    rd_kafka_resp_err_t e =
        rd_kafka_query_watermark_offsets(c->rk, topic, partition, low, high, TIMEOUT_MS);
    if (e) {
        snprintf(err, err_size, "cannot read the log end of %s/%d: %s", topic, partition,
                 rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

int cluster_partition_lag(struct cluster *c, const char *topic, int partition, int64_t committed,
                          int64_t *log_end, int64_t *lag, char *err, size_t err_size)
{
    int64_t low = 0;
    if (cluster_watermarks(c, topic, partition, &low, log_end, err, err_size) != 0) {
        return -1;
    }
    int64_t from = committed >= 0 ? committed : low;
    *lag = *log_end > from ? *log_end - from : 0;
    return 0;
}

void cluster_record_ages(struct cluster *c, const rd_kafka_topic_partition_list_t *at,
                         int64_t now_ms, int budget_ms, double *age_s)
{
    for (int i = 0; i < at->cnt; i++) {
        age_s[i] = 0;
    }
    rd_kafka_topic_partition_list_t *from = rd_kafka_topic_partition_list_copy(at);
    if (!from || at->cnt == 0) {
        if (from) {
            rd_kafka_topic_partition_list_destroy(from);
        }
        return;
    }
    for (int i = 0; i < from->cnt; i++) {
        from->elems[i].offset =
            at->elems[i].offset >= 0 ? at->elems[i].offset : RD_KAFKA_OFFSET_BEGINNING;
    }
    if (rd_kafka_assign(c->rk, from) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        int64_t deadline = rf_clock_mono_ms() + budget_ms;
        int got = 0;
        while (got < at->cnt && rf_clock_mono_ms() < deadline) {
            rd_kafka_message_t *msg = rd_kafka_consumer_poll(c->rk, 100);
            if (!msg) {
                continue;
            }
            for (int i = 0; !msg->err && i < at->cnt; i++) {
                if (age_s[i] == 0 && at->elems[i].partition == msg->partition &&
                    strcmp(at->elems[i].topic, rd_kafka_topic_name(msg->rkt)) == 0) {
                    int64_t ts = rd_kafka_message_timestamp(msg, NULL);
                    /* a record exists: never 0, so "none arrived" stays distinct */
                    age_s[i] = ts > 0 && now_ms > ts ? (now_ms - ts) / 1000.0 : 0.001;
                    got++;
                }
            }
            rd_kafka_message_destroy(msg);
        }
        rd_kafka_assign(c->rk, NULL);
    }
    rd_kafka_topic_partition_list_destroy(from);
}

/*
 * Set each partition of @p from to read its last @p tail records, its log end into @p ends.
 * @returns how many partitions have records to read, or -1 (@p err).
 */
static int tail_offsets(struct cluster *c, rd_kafka_topic_partition_list_t *from, int64_t tail,
                        int64_t *ends, char *err, size_t err_size)
{
    int with_records = 0;
    for (int i = 0; i < from->cnt; i++) {
        int64_t low = 0, high = 0;
        if (cluster_watermarks(c, from->elems[i].topic, from->elems[i].partition, &low, &high, err,
                               err_size) != 0) {
            return -1;
        }
        from->elems[i].offset = high - tail > low ? high - tail : low;
        ends[i] = high;
        with_records += high > from->elems[i].offset;
    }
    return with_records;
}

int cluster_read_tail(struct cluster *c, const char *topic, int64_t tail, int budget_ms,
                      void (*on_record)(void *ctx, const rd_kafka_message_t *m), void *ctx,
                      char *err, size_t err_size)
{
    rd_kafka_topic_partition_list_t *from = rd_kafka_topic_partition_list_new(4);
    int rc = from && topic_partitions(c, topic, true, from, err, err_size) == 0 ? 0 : -1;
    int64_t *ends = rc == 0 ? calloc((size_t)from->cnt + 1, sizeof(*ends)) : NULL;
    int left = ends ? tail_offsets(c, from, tail, ends, err, err_size) : -1;
    rc = left < 0 ? -1 : 0;
    if (left > 0 && rd_kafka_assign(c->rk, from) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        int64_t deadline = rf_clock_mono_ms() + budget_ms;
        while (left > 0 && rf_clock_mono_ms() < deadline) {
            rd_kafka_message_t *msg = rd_kafka_consumer_poll(c->rk, 100);
            for (int i = 0; msg && !msg->err && i < from->cnt; i++) {
                if (from->elems[i].partition == msg->partition && ends[i] > 0) {
                    on_record(ctx, msg);
                    /* compaction leaves gaps: the record before the end finishes a partition */
                    if (msg->offset + 1 >= ends[i]) {
                        ends[i] = 0;
                        left--;
                    }
                }
            }
            if (msg) {
                rd_kafka_message_destroy(msg);
            }
        }
        rd_kafka_assign(c->rk, NULL);
        if (left > 0) {
            snprintf(err, err_size, "topic '%s' not read to its end within %d ms", topic,
                     budget_ms);
            rc = -1;
        }
    }
    free(ends);
    if (from) {
        rd_kafka_topic_partition_list_destroy(from);
    }
    return rc;
}
