/*
 * family.h - which report family a document belongs to, as a rule set's
 * "family" object says: title patterns looked for at the head of the text,
 * signals (a pattern and its score) looked for anywhere, and the score a
 * document needs. catalogue.c asks every rule set and takes the best.
 */
#ifndef RF_FAMILY_H
#define RF_FAMILY_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "rulefile.h"
#include "text.h"
#include "wordscan.h"

/* Where a title is looked for: the first bytes of the normalised text (400 characters). */
#define FAMILY_HEAD_BYTES 1200
/* How far the signals are looked for: a report's template headings lie well within it, and a
   bound keeps the work per document the same whatever its length. */
#define FAMILY_SCAN_BYTES (256u << 10)

struct family_signal {
    pcre2_code *re; /* a pattern; NULL for a literal */
    char *literal;  /* a pattern of no special characters, found by the literal scan below, or
                       with memmem() when it starts with no three-byte character; either reads
                       text many times faster than a pattern does */
    size_t literal_len;
    int score;
    bool scanned; /* found by the family's literal scan */
};

/* Signals past this many are looked for one by one (their bit in a 64-bit set). */
#define FAMILY_SCANNED_MAX 64

struct family {
    bool present;        /* the rule set has a "family" object; without one it takes any document */
    pcre2_code **titles; /* each one found in the head adds title_score, once */
    size_t title_cnt;
    int title_score;
    struct family_signal *signals; /* each found adds its score, once */
    size_t signal_cnt;
    int min_score; /* a document scoring less is not of the family */
    /* the literal signals that start with a three-byte character, all found in one pass over
       the text (a memmem() each was 3% of an extraction); their words point to the signals'
       literals and come in the order of scanned_signal, each entry a signal's index */
    struct wordscan *literals;
    struct name_pair *literal_words;
    size_t *scanned_signal;
};

/**
 * Read the optional "family" object of rule file @p root (@p path in errors).
 * @returns 0 (f->present false when there is none), or -1 with @p errstr.
 */
int family_load(struct family *f, json_t *root, const char *path, char *errstr, size_t errstr_size);
void family_release(struct family *f);

/**
 * The score of @p t for family @p f, matched with @p md (any size); -1 when
 * below the family's minimum. A family-less rule set scores 0 for every text.
 */
int family_score(const struct family *f, const struct text *t, pcre2_match_data *md);
#endif
