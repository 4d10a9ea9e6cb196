/*
 * numbering.h - the numbers Word generates for a DOCX's list paragraphs ("一、", "（二）",
 * "1."), which document.xml does not hold: word/numbering.xml says, per list (w:num, through
 * its w:abstractNum), each level's start, format and text ("%1、"), and word/styles.xml which
 * paragraph styles are numbered. The reader of document.xml (officetext.c) hands each
 * paragraph's w:numPr and w:pStyle here, in document order, and writes the label it gets
 * back at the start of the paragraph's line, so that the outline finder sees the headings'
 * numbers as a typed heading shows them.
 *
 * Both parts are read through zipxml.c within caps on bytes, lists, styles and a level's
 * text; a part that is malformed, too large or missing leaves the document unnumbered, never
 * unread.
 */
#ifndef RF_NUMBERING_H
#define RF_NUMBERING_H

#include <stddef.h>

#include <zip.h>

#define NUMBERING_MAX_PART_BYTES (16u << 20) /* numbering.xml, styles.xml: Word's hold KBs */
#define NUMBERING_MAX_ENTRIES 4096           /* lists, abstract lists, numbered styles: each */
#define NUMBERING_LEVELS 9                   /* w:ilvl 0..8, as OOXML says */
#define NUMBERING_MAX_LEVEL_TEXT 64          /* bytes of a w:lvlText; a longer one writes nothing */
#define NUMBERING_MAX_STYLE_ID 64            /* bytes of a w:styleId; a longer one is ignored */
#define NUMBERING_MAX_LABEL 1024             /* a label expanded, with its NUL */

struct numbering; /* the lists of one document and their counters so far */

/* A paragraph's own numbering properties, as its w:pPr gives them. */
struct numbering_paragraph {
    int num_id;                         /* w:numPr/w:numId; -1: not given */
    int level;                          /* w:numPr/w:ilvl; -1: not given */
    char style[NUMBERING_MAX_STYLE_ID]; /* w:pStyle; "": none */
};

/**
 * The lists of the DOCX in @p zip: @p numbering_part ("word/numbering.xml") and the
 * numbered paragraph styles of @p styles_part ("word/styles.xml", may be missing).
 * @returns them (numbering_free() them), or NULL when the document numbers nothing, or
 * its numbering part is missing, malformed, too large or needs more memory than there is.
 */
struct numbering *numbering_read(zip_t *zip, const char *numbering_part, const char *styles_part);

void numbering_free(struct numbering *n);

/** A paragraph without numbering properties. */
void numbering_paragraph_clear(struct numbering_paragraph *p);

/**
 * The next paragraph's label into @p label (NUL-terminated, truncated to @p size at a whole
 * number), its list's counters advanced: "一、" for a paragraph at level 0 of a list whose
 * level 0 is chineseCounting "%1、". "" for a paragraph in no list (numId 0 included), a
 * bullet, a level of format none, or an unknown list. @returns the label's length.
 */
size_t numbering_next_label(struct numbering *n, const struct numbering_paragraph *p, char *label,
                            size_t size);

#endif
