/* confusion.c - report families told apart: see confusion.h. */
#include "confusion.h"

#include <stdio.h>
#include <string.h>

#include "reportflow/utf8.h"

void confusion_init(struct confusion *c)
{
    memset(c, 0, sizeof(*c));
}

double confusion_share(const struct confusion *c)
{
    return c->labelled == 0 ? 1.0 : (double)c->right / c->labelled;
}

static size_t confusion_index(struct confusion *c, const char *name)
{
    for (size_t i = 0; i < c->cnt; i++) {
        if (strncmp(c->names[i], name, sizeof(c->names[i]) - 1) == 0) {
            return i;
        }
    }
    if (c->cnt == CONFUSION_MAX_FAMILIES) {
        return CONFUSION_MAX_FAMILIES - 1; /* more families than a catalogue holds: lumped */
    }
    rf_utf8_copy_str(c->names[c->cnt], sizeof(c->names[c->cnt]), name);
    return c->cnt++;
}

void confusion_add(struct confusion *c, const char *gold, json_t *doc)
{
    if (!gold) {
        return;
    }
    const char *ours = json_string_value(json_object_get(doc, "report_family"));
    ours = ours ? ours : "none";
    c->counts[confusion_index(c, gold)][confusion_index(c, ours)]++;
    c->right += strcmp(gold, ours) == 0;
    c->labelled++;
}

void confusion_print(const struct confusion *c)
{
    if (c->labelled == 0) {
        return;
    }
    printf("report family: %d/%d right (%.3f); rows gold, columns ours:\n", c->right, c->labelled,
           confusion_share(c));
    printf("  %-28s", "");
    for (size_t k = 0; k < c->cnt; k++) {
        printf(" %-28s", c->names[k]);
    }
    printf("\n");
    for (size_t i = 0; i < c->cnt; i++) {
        printf("  %-28s", c->names[i]);
        for (size_t k = 0; k < c->cnt; k++) {
            printf(" %-28d", c->counts[i][k]);
        }
        printf("\n");
    }
}
