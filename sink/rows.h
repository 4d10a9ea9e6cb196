/*
 * rows.h - an envelope turned into the bytes its transaction sends: the
 * document's head as JSON (for the documents upsert; with the file name's bytes
 * as hex in "file_name_raw" when they are not UTF-8) and its child rows in
 * COPY text format, one buffer per child table. The sink formats a batch here,
 * while the previous batch is still in PostgreSQL's hands, so the database
 * writer only ships bytes.
 */
#ifndef RF_ROWS_H
#define RF_ROWS_H

#include <stddef.h>

#include "children.h"
#include "jsontok.h"
#include "reportflow/buf.h"

/* Tokens by position (an array's elements are otherwise reached one after another): @p cnt
   rows of @p width tokens. */
struct rows_list {
    jsontok_at *at;
    size_t cnt, width, cap;
};

/*
 * An envelope read for its rows: its text indexed (borrowed: the Kafka message
 * keeps it), and the elements of the arrays its rows point into. One per batch,
 * reused from record to record.
 */
struct rows_env {
    struct jsontok json;
    jsontok_at root;          /* an object */
    struct rows_list clauses; /* the "text" of each of "clauses" (schema_version 2) */
    /* per children_at() with a via_array: for each of that array's elements, the
       via_field of each column (t->ncols tokens, JSONTOK_NONE for a column without one),
       found once however many rows name the element */
    struct rows_list via[CHILDREN_MAX];
};

/*
 * The values of an envelope's child rows, at most this many times its own bytes (and
 * ROWS_COPIES_SLACK besides). A row copies the clause and the quantity it names, so a
 * hostile envelope of a few MiB naming one long clause from every metric would make
 * hundreds of GiB of rows; the extractor's densest shapes make 2.7 times (a run-on clause
 * cut into many quantities), its reports under 1.
 */
#define ROWS_MAX_COPIES 8
#define ROWS_COPIES_SLACK (64u << 10)

/**
 * Read envelope text @p text (@p len bytes, borrowed until the next read) into
 * @p env: checked JSON whose root is an object. @returns 0; -1 with the fault
 * in @p why; -2 when out of memory.
 */
int rows_env_read(struct rows_env *env, const char *text, size_t len, char *why, size_t why_size);

/*
 * Free what @p env holds when it passes ROWS_ENV_KEEP_BYTES: the index of a
 * record can be some ten times its size (two bytes of JSON make a token of 20),
 * and that is not kept for the records after it.
 */
#define ROWS_ENV_KEEP_BYTES (4u << 20)
void rows_env_trim(struct rows_env *env);
void rows_env_release(struct rows_env *env);

/** Member @p name of @p env's root, or JSONTOK_NONE. */
jsontok_at rows_env_get(const struct rows_env *env, const char *name);

/** Bytes [off, off + len) of one of struct rows' buffers. */
struct rows_span {
    size_t off;
    size_t len;
};

/** Where one envelope's bytes are in its batch's struct rows. */
struct rows_doc {
    struct rows_span head; /* a JSON object: doc_id, rules_hash, source, extractor, document */
    struct rows_span table[CHILDREN_MAX]; /* per children_at(): its COPY rows, lines end in '\n' */
};

/** A batch's formatted bytes; envelopes are appended one after another. */
struct rows {
    struct rf_buf head;
    struct rf_buf table[CHILDREN_MAX]; /* per children_at() */
};

#define ROWS_INIT                                                                                  \
    {                                                                                              \
        RF_BUF_INIT,                                                                               \
        {                                                                                          \
            RF_BUF_INIT                                                                            \
        }                                                                                          \
    }

/* Room for an extraction's rules_hash: 16 hex digits, or "legacy-" and a rules_version. */
#define ROWS_RULES_HASH_SIZE 80

/**
 * The version @p env (a validated envelope) is stored under, into @p out: its
 * extractor.rules_hash, or "legacy-<rules_version>" for envelopes of workers
 * before sql/012 (rows stored before it got the same name).
 * @returns 0, or -1 with a reason in @p why for a malformed hash or version.
 */
int rows_rules_hash(const struct rows_env *env, char out[ROWS_RULES_HASH_SIZE], char *why,
                    size_t why_size);

/**
 * Check the child rows of @p env, an envelope of @p schema_version, before any
 * is made: every element of a child table's array is an object whose columns
 * are of their kind (text a string, an integer one, a number one, or null), and
 * every metric's "quantity" an index into "quantities"; from version 2 on, its
 * "clauses" are objects with a "text", and every clause a child row reads (a
 * quantity's "clause", a metric's "evidence", its own or its quantity's) is an
 * index into them; the rows' values stay within ROWS_MAX_COPIES times the
 * envelope's size. Fills @p env's lists, which rows_add() reads. Linear in the
 * envelope's size, whatever it holds.
 * @returns 0; -1 with the first fault in @p why; -2 when out of memory.
 */
int rows_check(struct rows_env *env, int schema_version, char *why, size_t why_size);

/**
 * Append the bytes of @p env (checked by rows_check()) whose id is @p doc_id,
 * stored under @p rules_hash (rows_rules_hash()), and say where they went in
 * @p where.
 * @returns 0, or -1 when out of memory (@p rows may hold a partial document).
 */
int rows_add(struct rows *rows, const struct rows_env *env, const char *doc_id,
             const char *rules_hash, struct rows_doc *where);

/** Bytes held (formatted so far), for the batch's bound in bytes. */
size_t rows_bytes(const struct rows *rows);

/** Forget the bytes, keep the memory for the next batch. */
void rows_reset(struct rows *rows);
void rows_release(struct rows *rows);

#endif
