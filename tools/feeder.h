/*
 * feeder.h - the Kafka side of a reprocess. It reads the raw reports of the
 * documents the backlog selected from the raw topic (the record of every
 * report: compacted by document id, kept forever), by partition and offset,
 * and copies each onto the run's work topic with a raw.origin header naming
 * the record (RF_HDR_ORIGIN), for the workers of that rule set. It also
 * re-drives dead letters' bytes, dead-letters a report whose raw record is
 * gone, and measures the live groups' lag so a reprocess can yield to them.
 */
#ifndef RF_FEEDER_H
#define RF_FEEDER_H

#include <stdbool.h>
#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "backlog.h"
#include "reportflow/config.h"
#include "reportflow/jobs.h"

struct cluster;

struct feeder {
    const struct rf_config *cfg; /* borrowed */
    rd_kafka_t *reader;          /* assigns raw partitions by hand; never commits */
    rd_kafka_t *producer;
    struct cluster *cluster; /* for the live groups' committed offsets */
    char work_topic[256];
    char status_topic[256]; /* where the run's progress goes, for reportflow-lag */
    long long outstanding;  /* produced, delivery report not yet seen */
    long long failed;       /* delivery reports with an error */
    long long scanned;      /* raw records read to find the selected ones */
};

/** Connect for @p cfg, copying onto @p work_topic. @returns 0, or -1 with @p errstr. */
int feeder_open(struct feeder *f, const struct rf_config *cfg, const char *work_topic, char *errstr,
                size_t errstr_size);
void feeder_close(struct feeder *f);

/**
 * Create the work topic when missing, configured as the raw topic (partitions,
 * record size, compaction). @returns 0, or -1 with @p errstr.
 */
int feeder_create_work_topic(struct feeder *f, char *errstr, size_t errstr_size);

/**
 * Create the status topic when missing: one partition, compacted by job.
 * @returns 0, or -1 with @p errstr (the run goes on; only its status is unseen).
 */
int feeder_create_status_topic(struct feeder *f, char *errstr, size_t errstr_size);

/** Queue @p status for the status topic, never waiting. @returns 0, or -1 (queue full, memory). */
int feeder_publish_status(struct feeder *f, const struct rf_job_status *status);

/** Delete the work topic (after a finished run). @returns 0, or -1 with @p errstr. */
int feeder_delete_work_topic(struct feeder *f, char *errstr, size_t errstr_size);

/**
 * Copy the raw records of @p docs (ordered by partition and offset) onto the
 * work topic; @p found[i] says whether docs[i]'s record was there (at its
 * offset, or later: compaction keeps the latest record of a key), read up to
 * the partition's end. @returns 0, or -1 with @p errstr when Kafka could not
 * be read to the end or written.
 */
int feeder_copy(struct feeder *f, const struct backlog_doc *docs, size_t cnt, bool *found,
                char *errstr, size_t errstr_size);

/** Put a dead letter's bytes on the work topic, named as its report was. */
int feeder_redrive(struct feeder *f, const struct backlog_letter *l, char *errstr,
                   size_t errstr_size);

/** A dead letter (stage reprocess) for a document whose raw record is gone. */
int feeder_dead_letter(struct feeder *f, const char *doc_id, const char *code, const char *text,
                       char *errstr, size_t errstr_size);

/** Serve delivery reports for up to @p ms; @returns what is still outstanding. */
long long feeder_poll(struct feeder *f, int ms);

/** Members of consumer group @p group now; -1 when Kafka did not say. */
int feeder_group_members(struct feeder *f, const char *group);

/**
 * Records the live groups have yet to consume: worker.group on the raw topic
 * plus sink.group on the events topic. @returns -1 when Kafka did not say.
 */
long long feeder_live_lag(struct feeder *f);

#endif
