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

#include <jansson.h>

#include "children.h"
#include "reportflow/buf.h"

/** Bytes [off, off + len) of one of struct rows' buffers. */
struct rows_span {
    size_t off;
    size_t len;
};

/** Where one envelope's bytes are in its batch's struct rows. */
struct rows_doc {
    struct rows_span head;                /* a JSON object: doc_id, source, extractor, document */
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

/**
 * Append the bytes of @p env (a validated envelope, borrowed) whose id is
 * @p doc_id, and say where they went in @p where.
 * @returns 0, or -1 when out of memory (@p rows may hold a partial document).
 */
int rows_add(struct rows *rows, json_t *env, const char *doc_id, struct rows_doc *where);

/** Bytes held (formatted so far), for the batch's bound in bytes. */
size_t rows_bytes(const struct rows *rows);

/** Forget the bytes, keep the memory for the next batch. */
void rows_reset(struct rows *rows);
void rows_release(struct rows *rows);

#endif
