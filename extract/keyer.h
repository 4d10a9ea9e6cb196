/*
 * keyer.h - the learned half of key assignment: a linear model over the
 * context of a quantity (words before it in its clause and sentence, its
 * measure word, the words after it, the clause's shape, and the key the
 * hand-written rules would give) that names its taxonomy key or says "none".
 *
 * The weights are data (config/rules/<family>.model.json), trained by
 * tools/train/keyer.py from the gold files; the features are computed here
 * only, and reportflow-eval --dump-features prints them for the trainer, so
 * training and extraction can never disagree on what a feature is.
 */
#ifndef RF_KEYER_H
#define RF_KEYER_H

#include <stddef.h>
#include <stdint.h>

#include "quantity.h"
#include "rules.h"
#include "text.h"

#define KEYER_MAX_FEATURES 160
#define KEYER_FEATURE_BYTES 48

/* The features of one quantity, as strings ("u:家", "c:检查"), each with its length and its
   hash, made while it is written: a feature is looked up once, right after. */
struct keyer_features {
    char items[KEYER_MAX_FEATURES][KEYER_FEATURE_BYTES];
    uint64_t hash[KEYER_MAX_FEATURES];
    uint8_t len[KEYER_MAX_FEATURES];
    size_t cnt;
};

struct keyer_model;

/**
 * Load a model file. @returns a new model (free with keyer_free()), or NULL
 * with a message in @p errstr naming the file and the field at fault.
 */
struct keyer_model *keyer_load(const char *path, char *errstr, size_t errstr_size);
void keyer_free(struct keyer_model *m);

/** The model's identity for the envelope ("keyer-2026-11-30"), borrowed. */
const char *keyer_name(const struct keyer_model *m);

/** SHA-256 of the model file as loaded (64 hex digits), borrowed: part of the rules' hash. */
const char *keyer_sha256(const struct keyer_model *m);

/**
 * Compute the features of @p q in @p t, with the concepts of @p rules'
 * "keyer_lexicon". @p rule_key is the key the rules chose for it, or NULL.
 * Work is bounded: fixed windows of characters around the number.
 */
void keyer_features(const struct rules *rules, const struct text *t, const struct quantity *q,
                    const char *rule_key, struct keyer_features *out);

/**
 * Name @p q with @p rules' keyer model (rules->keyer, not NULL). Under the
 * model's policy "fill" (the default) a key the rules chose stands unless the
 * model gives "no metric" the "veto" probability, and the model names only
 * quantities the rules left alone; under "arbiter" the model's best key wins. @returns the rule
 * that proposed the chosen key, the model's pseudo-rule for it (borrowed; its id is the model's
 * name), or NULL for "no metric" or a best key under the model's "threshold".
 * *@p confidence gets the model's probability of the outcome, or -1 for a
 * rule's key the model has no class for; for a key chosen, calibrated when
 * the model file has a "calibration": the share of such facts found right on
 * documents the model was not trained on.
 */
const struct rule *keyer_decide(const struct rules *rules, const struct text *t,
                                const struct quantity *q, const struct rule *rule_choice,
                                double *confidence);

/**
 * The confidence of a stated zero under model @p m (may be NULL): its
 * calibration's "zero", or -1 (none) when it has none.
 */
double keyer_zero_confidence(const struct keyer_model *m);

#endif
