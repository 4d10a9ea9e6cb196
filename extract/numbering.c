/* numbering.c - the numbers Word generates for a DOCX's list paragraphs: see numbering.h. */
#include "numbering.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "zipxml.h"

#define PART_MAX_DEPTH 64   /* numbering.xml nests 6 deep, styles.xml 8 */
#define STYLE_CHAIN_MAX 8   /* w:basedOn links followed to find a style's numbering */
#define COUNTER_MAX 1000000 /* a counter stops here rather than overflow */
#define NO_START INT_MIN    /* a list without a w:startOverride for the level */

enum format {
    FORMAT_DECIMAL, /* also what an unknown format is written as */
    FORMAT_DECIMAL_ZERO,
    FORMAT_CHINESE_COUNTING, /* 一 … 十 十一 … 九千九百九十九 */
    FORMAT_CHINESE_LEGAL,    /* 壹 … 拾 拾壹 … */
    FORMAT_HEAVENLY_STEMS,   /* ideographTraditional: 甲 乙 丙 … 癸 */
    FORMAT_ENCLOSED_CIRCLE,  /* ① … ⑳ */
    FORMAT_LOWER_LETTER,
    FORMAT_UPPER_LETTER,
    FORMAT_LOWER_ROMAN,
    FORMAT_UPPER_ROMAN,
    FORMAT_BULLET, /* a symbol, no number: the line gets nothing */
    FORMAT_NONE,
};

static const struct {
    const char *name;
    enum format format;
} FORMATS[] = {
    {"decimal", FORMAT_DECIMAL},
    {"decimalZero", FORMAT_DECIMAL_ZERO},
    {"chineseCounting", FORMAT_CHINESE_COUNTING},
    {"chineseCountingThousand", FORMAT_CHINESE_COUNTING},
    {"japaneseCounting", FORMAT_CHINESE_COUNTING},
    {"taiwaneseCounting", FORMAT_CHINESE_COUNTING},
    {"taiwaneseCountingThousand", FORMAT_CHINESE_COUNTING},
    {"chineseLegalSimplified", FORMAT_CHINESE_LEGAL},
    {"ideographTraditional", FORMAT_HEAVENLY_STEMS},
    {"decimalEnclosedCircle", FORMAT_ENCLOSED_CIRCLE},
    {"decimalEnclosedCircleChinese", FORMAT_ENCLOSED_CIRCLE},
    {"lowerLetter", FORMAT_LOWER_LETTER},
    {"upperLetter", FORMAT_UPPER_LETTER},
    {"lowerRoman", FORMAT_LOWER_ROMAN},
    {"upperRoman", FORMAT_UPPER_ROMAN},
    {"bullet", FORMAT_BULLET},
    {"none", FORMAT_NONE},
};

struct level {
    int start;
    unsigned char format; /* enum format */
    bool text_too_long;   /* its w:lvlText passed NUMBERING_MAX_LEVEL_TEXT: written as nothing */
    char text[NUMBERING_MAX_LEVEL_TEXT + 1];
};

struct abstract_list {
    int id; /* w:abstractNumId */
    struct level levels[NUMBERING_LEVELS];
};

struct list {
    int id; /* w:numId */
    int abstract_id;
    int start_override[NUMBERING_LEVELS]; /* NO_START, or w:lvlOverride/w:startOverride */
    int counter[NUMBERING_LEVELS];        /* the last number written at each level */
    bool counting[NUMBERING_LEVELS];      /* a number was written at the level since its reset */
};

struct style {
    char id[NUMBERING_MAX_STYLE_ID];
    char based_on[NUMBERING_MAX_STYLE_ID];
    int num_id, level; /* its w:pPr/w:numPr; -1: not given */
};

/* A growing array of at most NUMBERING_MAX_ENTRIES items. */
struct table {
    void *items;
    size_t count, capacity, item_size;
};

struct numbering {
    struct table abstracts, lists, styles; /* sorted by id once read */
};

/* ---- reading the parts ---- */

/* Where the reader stands in numbering.xml or styles.xml. */
struct part_reader {
    struct numbering *n;
    bool out_of_memory;
    struct abstract_list *abstract; /* the open w:abstractNum, or NULL */
    int level;                      /* the open w:lvl of it or w:lvlOverride of list; -1: none */
    int level_depth;
    struct list *list;   /* the open w:num, or NULL */
    struct style *style; /* the open paragraph w:style, or NULL */
    bool in_numpr;       /* inside the style's w:pPr/w:numPr */
};

/* A new zeroed item at the end of @p t; NULL past the cap (ignored) or out of memory. */
static void *table_add(struct table *t, bool *out_of_memory)
{
    if (t->count == NUMBERING_MAX_ENTRIES) {
        return NULL;
    }
    if (t->count == t->capacity) {
        size_t capacity = t->capacity ? t->capacity * 2 : 16;
        void *items = realloc(t->items, capacity * t->item_size);
        if (!items) {
            *out_of_memory = true;
            return NULL;
        }
        t->items = items;
        t->capacity = capacity;
    }
    void *item = (char *)t->items + t->count++ * t->item_size;
    memset(item, 0, t->item_size);
    return item;
}

static bool is_w_namespace(xmlTextReaderPtr r)
{
    const xmlChar *uri = xmlTextReaderConstNamespaceUri(r);
    return uri &&
           (strcmp((const char *)uri,
                   "http://schemas.openxmlformats.org/wordprocessingml/2006/main") == 0 ||
            strcmp((const char *)uri, "http://purl.oclc.org/ooxml/wordprocessingml/main") == 0);
}

/* The w: attribute @p name of the element, or NULL; valid until the reader moves. */
static const char *w_attribute(xmlTextReaderPtr r, const char *name)
{
    const xmlChar *uri = xmlTextReaderConstNamespaceUri(r);
    if (!uri || xmlTextReaderMoveToAttributeNs(r, BAD_CAST name, uri) != 1) {
        return NULL;
    }
    const xmlChar *value = xmlTextReaderConstValue(r);
    xmlTextReaderMoveToElement(r); /* cannot fail: the reader stands on the element's attribute */
    return (const char *)value;    /* interned or owned by the reader's current node */
}

/* The integer attribute @p name, or @p absent when missing or not a number. */
static int int_attribute(xmlTextReaderPtr r, const char *name, int absent)
{
    const char *value = w_attribute(r, name);
    if (!value || !*value) {
        return absent;
    }
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (*end != '\0' || errno == ERANGE || v < -COUNTER_MAX || v > COUNTER_MAX) {
        return absent;
    }
    return (int)v;
}

static enum format format_named(const char *name)
{
    for (size_t i = 0; i < sizeof(FORMATS) / sizeof(FORMATS[0]); i++) {
        if (strcmp(FORMATS[i].name, name) == 0) {
            return FORMATS[i].format;
        }
    }
    return FORMAT_DECIMAL;
}

/* A child of w:lvl: its start, format and text. */
static void level_property(struct level *level, xmlTextReaderPtr r, const char *name)
{
    const char *value = w_attribute(r, "val");
    if (!value) {
        return;
    }
    if (strcmp(name, "start") == 0) {
        level->start = int_attribute(r, "val", 1);
    } else if (strcmp(name, "numFmt") == 0 && strcmp(value, "custom") != 0) {
        /* Word writes a custom format in mc:Choice and a standard one in mc:Fallback */
        level->format = (unsigned char)format_named(value);
    } else if (strcmp(name, "lvlText") == 0) {
        size_t len = strlen(value);
        level->text_too_long = len > NUMBERING_MAX_LEVEL_TEXT;
        snprintf(level->text, sizeof(level->text), "%s", level->text_too_long ? "" : value);
    }
}

static void abstract_list_begin(struct part_reader *p, xmlTextReaderPtr r)
{
    p->abstract = table_add(&p->n->abstracts, &p->out_of_memory);
    if (p->abstract) {
        p->abstract->id = int_attribute(r, "abstractNumId", -1);
        for (int l = 0; l < NUMBERING_LEVELS; l++) {
            p->abstract->levels[l].start = 1; /* what Word assumes when w:start is missing */
        }
    }
}

static void list_begin(struct part_reader *p, xmlTextReaderPtr r)
{
    p->list = table_add(&p->n->lists, &p->out_of_memory);
    if (p->list) {
        p->list->id = int_attribute(r, "numId", -1);
        p->list->abstract_id = -1;
        for (int l = 0; l < NUMBERING_LEVELS; l++) {
            p->list->start_override[l] = NO_START;
        }
    }
}

/* An element of numbering.xml, at @p depth (w:numbering at 0). */
static void numbering_element(struct part_reader *p, xmlTextReaderPtr r, const char *name,
                              int depth)
{
    if (depth <= p->level_depth) {
        p->level = -1;
    }
    if (depth == 1) {
        p->abstract = NULL;
        p->list = NULL;
        if (strcmp(name, "abstractNum") == 0) {
            abstract_list_begin(p, r);
        } else if (strcmp(name, "num") == 0) {
            list_begin(p, r);
        }
    } else if (depth == 2 && (p->abstract || p->list) &&
               (strcmp(name, p->abstract ? "lvl" : "lvlOverride") == 0)) {
        int level = int_attribute(r, "ilvl", -1);
        p->level = level >= 0 && level < NUMBERING_LEVELS ? level : -1;
        p->level_depth = depth;
    } else if (depth == 2 && p->list && strcmp(name, "abstractNumId") == 0) {
        p->list->abstract_id = int_attribute(r, "val", -1);
    } else if (p->level >= 0 && p->abstract) {
        /* at any depth: mc:AlternateContent wraps w:numFmt */
        level_property(&p->abstract->levels[p->level], r, name);
    } else if (p->level >= 0 && p->list && depth == 3 && strcmp(name, "startOverride") == 0) {
        p->list->start_override[p->level] = int_attribute(r, "val", NO_START);
    }
}

/* An element of styles.xml: a paragraph style's w:basedOn and w:pPr/w:numPr. */
static void styles_element(struct part_reader *p, xmlTextReaderPtr r, const char *name, int depth)
{
    if (depth == 1) {
        p->style = NULL;
        if (strcmp(name, "style") != 0) {
            return;
        }
        /* compared before the next attribute read: the reader may reuse the value's buffer */
        const char *type = w_attribute(r, "type");
        bool paragraph = type && strcmp(type, "paragraph") == 0;
        const char *id = paragraph ? w_attribute(r, "styleId") : NULL;
        if (id && strlen(id) < NUMBERING_MAX_STYLE_ID) {
            p->style = table_add(&p->n->styles, &p->out_of_memory);
        }
        if (p->style) {
            snprintf(p->style->id, sizeof(p->style->id), "%s", id);
            p->style->num_id = p->style->level = -1;
        }
        return;
    }
    if (!p->style) {
        return;
    }
    const char *value = depth == 2 && strcmp(name, "basedOn") == 0 ? w_attribute(r, "val") : NULL;
    if (value && strlen(value) < NUMBERING_MAX_STYLE_ID) {
        snprintf(p->style->based_on, sizeof(p->style->based_on), "%s", value);
    }
    if (depth == 3) {
        p->in_numpr = strcmp(name, "numPr") == 0;
    } else if (depth == 4 && p->in_numpr && strcmp(name, "numId") == 0) {
        p->style->num_id = int_attribute(r, "val", -1);
    } else if (depth == 4 && p->in_numpr && strcmp(name, "ilvl") == 0) {
        p->style->level = int_attribute(r, "val", -1);
    }
}

static bool on_numbering_node(void *ctx, xmlTextReaderPtr r, int type, int depth)
{
    struct part_reader *p = ctx;
    const xmlChar *local = xmlTextReaderConstLocalName(r);
    if (type == XML_READER_TYPE_ELEMENT && local && is_w_namespace(r)) {
        numbering_element(p, r, (const char *)local, depth);
    }
    return !p->out_of_memory;
}

static bool on_styles_node(void *ctx, xmlTextReaderPtr r, int type, int depth)
{
    struct part_reader *p = ctx;
    const xmlChar *local = xmlTextReaderConstLocalName(r);
    if (type == XML_READER_TYPE_ELEMENT && local && is_w_namespace(r)) {
        styles_element(p, r, (const char *)local, depth);
    }
    return !p->out_of_memory;
}

/* Read @p part with @p on_node; false when it is not all read (the reason is not kept). */
static bool read_part(zip_t *zip, const char *part, zipxml_node_fn on_node, struct part_reader *p)
{
    char why[256];
    enum zipxml_result r = zipxml_read(zip, part, NUMBERING_MAX_PART_BYTES, PART_MAX_DEPTH, on_node,
                                       p, why, sizeof(why));
    return r == ZIPXML_OK && !p->out_of_memory;
}

static int compare_abstract(const void *a, const void *b)
{
    int x = ((const struct abstract_list *)a)->id, y = ((const struct abstract_list *)b)->id;
    return (x > y) - (x < y);
}

static int compare_list(const void *a, const void *b)
{
    int x = ((const struct list *)a)->id, y = ((const struct list *)b)->id;
    return (x > y) - (x < y);
}

static int compare_style(const void *a, const void *b)
{
    return strcmp(((const struct style *)a)->id, ((const struct style *)b)->id);
}

static void table_sort(struct table *t, int (*compare)(const void *, const void *))
{
    if (t->count > 1) {
        qsort(t->items, t->count, t->item_size, compare);
    }
}

struct numbering *numbering_read(zip_t *zip, const char *numbering_part, const char *styles_part)
{
    if (zip_name_locate(zip, numbering_part, 0) < 0) {
        return NULL;
    }
    struct numbering *n = calloc(1, sizeof(*n));
    if (!n) {
        return NULL;
    }
    n->abstracts.item_size = sizeof(struct abstract_list);
    n->lists.item_size = sizeof(struct list);
    n->styles.item_size = sizeof(struct style);
    struct part_reader p = {.n = n, .level = -1};
    if (!read_part(zip, numbering_part, on_numbering_node, &p) || n->lists.count == 0) {
        numbering_free(n);
        return NULL;
    }
    struct part_reader s = {.n = n, .level = -1};
    if (zip_name_locate(zip, styles_part, 0) >= 0 &&
        !read_part(zip, styles_part, on_styles_node, &s)) {
        n->styles.count = 0; /* lists still number the paragraphs that name them */
    }
    table_sort(&n->abstracts, compare_abstract);
    table_sort(&n->lists, compare_list);
    table_sort(&n->styles, compare_style);
    return n;
}

void numbering_free(struct numbering *n)
{
    if (n) {
        free(n->abstracts.items);
        free(n->lists.items);
        free(n->styles.items);
        free(n);
    }
}

void numbering_paragraph_clear(struct numbering_paragraph *p)
{
    p->num_id = p->level = -1;
    p->style[0] = '\0';
}

/* ---- numbers as text ---- */

/* A bounded string; a piece that does not fit whole is left out. */
struct label {
    char *s;
    size_t size, len;
};

static void put(struct label *l, const char *piece, size_t n)
{
    if (l->len + n < l->size) {
        memcpy(l->s + l->len, piece, n);
        l->len += n;
        l->s[l->len] = '\0';
    }
}

static void put_str(struct label *l, const char *piece)
{
    put(l, piece, strlen(piece));
}

static void put_decimal(struct label *l, int value, bool zero_pad)
{
    char digits[16];
    int n = snprintf(digits, sizeof(digits), zero_pad && value >= 0 && value < 10 ? "0%d" : "%d",
                     value);
    put(l, digits, (size_t)n);
}

/* 1..9999 in Chinese counting: 十一, 二十, 一百零一, 一千零二十. */
static void put_chinese(struct label *l, int value, const char *const digits[10],
                        const char *const units[4], bool ten_alone)
{
    static const int POWERS[4] = {1, 10, 100, 1000};
    bool written = false, zero_pending = false;
    for (int place = 3; place >= 0; place--) {
        int digit = value / POWERS[place] % 10;
        if (digit == 0) {
            zero_pending = written;
            continue;
        }
        if (zero_pending) {
            put_str(l, digits[0]);
            zero_pending = false;
        }
        /* 十一, not 一十一, when the tens lead */
        if (!(ten_alone && place == 1 && digit == 1 && !written)) {
            put_str(l, digits[digit]);
        }
        put_str(l, units[place]);
        written = true;
    }
}

static void put_letters(struct label *l, int value, char first)
{
    char c = (char)(first + (value - 1) % 26);
    for (int i = 0; i <= (value - 1) / 26; i++) {
        put(l, &c, 1); /* Word's 27th is "aa" */
    }
}

static void put_roman(struct label *l, int value, bool upper)
{
    static const struct {
        int value;
        const char *upper, *lower;
    } NUMERALS[] = {{1000, "M", "m"}, {900, "CM", "cm"}, {500, "D", "d"}, {400, "CD", "cd"},
                    {100, "C", "c"},  {90, "XC", "xc"},  {50, "L", "l"},  {40, "XL", "xl"},
                    {10, "X", "x"},   {9, "IX", "ix"},   {5, "V", "v"},   {4, "IV", "iv"},
                    {1, "I", "i"}};
    for (size_t i = 0; i < sizeof(NUMERALS) / sizeof(NUMERALS[0]); i++) {
        for (; value >= NUMERALS[i].value; value -= NUMERALS[i].value) {
            put_str(l, upper ? NUMERALS[i].upper : NUMERALS[i].lower);
        }
    }
}

/* @p value in @p format; decimal where the format has no way to write it. */
static void put_number(struct label *l, int value, enum format format)
{
    static const char *const COUNTING[10] = {"零", "一", "二", "三", "四",
                                             "五", "六", "七", "八", "九"};
    static const char *const COUNTING_UNITS[4] = {"", "十", "百", "千"};
    static const char *const LEGAL[10] = {"零", "壹", "贰", "叁", "肆",
                                          "伍", "陆", "柒", "捌", "玖"};
    static const char *const LEGAL_UNITS[4] = {"", "拾", "佰", "仟"};
    static const char *const STEMS[10] = {"甲", "乙", "丙", "丁", "戊",
                                          "己", "庚", "辛", "壬", "癸"};
    bool positive = value >= 1;
    if (format == FORMAT_CHINESE_COUNTING && positive && value <= 9999) {
        put_chinese(l, value, COUNTING, COUNTING_UNITS, true);
    } else if (format == FORMAT_CHINESE_LEGAL && positive && value <= 9999) {
        put_chinese(l, value, LEGAL, LEGAL_UNITS, false);
    } else if (format == FORMAT_HEAVENLY_STEMS && positive && value <= 10) {
        put_str(l, STEMS[value - 1]);
    } else if (format == FORMAT_ENCLOSED_CIRCLE && positive && value <= 20) {
        const char circled[] = {'\xe2', '\x91', (char)(0xa0 + value - 1)}; /* U+2460 + n - 1 */
        put(l, circled, sizeof(circled));
    } else if ((format == FORMAT_LOWER_LETTER || format == FORMAT_UPPER_LETTER) && positive &&
               value <= 26 * 8) {
        put_letters(l, value, format == FORMAT_LOWER_LETTER ? 'a' : 'A');
    } else if ((format == FORMAT_LOWER_ROMAN || format == FORMAT_UPPER_ROMAN) && positive &&
               value <= 3999) {
        put_roman(l, value, format == FORMAT_UPPER_ROMAN);
    } else {
        put_decimal(l, value, format == FORMAT_DECIMAL_ZERO);
    }
}

/* ---- counting ---- */

static const struct style *style_named(const struct numbering *n, const char *id)
{
    struct style key;
    snprintf(key.id, sizeof(key.id), "%s", id);
    return bsearch(&key, n->styles.items, n->styles.count, sizeof(key), compare_style);
}

/* The paragraph's list and level: its own, else its style's (through w:basedOn). */
static void resolve(const struct numbering *n, const struct numbering_paragraph *p, int *num_id,
                    int *level)
{
    *num_id = p->num_id;
    *level = p->level;
    const struct style *style = p->style[0] ? style_named(n, p->style) : NULL;
    for (int hops = 0; style && hops < STYLE_CHAIN_MAX; hops++) {
        if (style->num_id >= 0) {
            *num_id = *num_id >= 0 ? *num_id : style->num_id;
            *level = *level >= 0 ? *level : style->level;
            break;
        }
        style = style->based_on[0] ? style_named(n, style->based_on) : NULL;
    }
    *level = *level >= 0 ? *level : 0;
}

static int level_start(const struct list *list, const struct abstract_list *abstract, int level)
{
    int start = list->start_override[level];
    return start != NO_START ? start : abstract->levels[level].start;
}

/* Level @p level's counter advanced, the deeper levels' reset. */
static void advance(struct list *list, const struct abstract_list *abstract, int level)
{
    if (list->counting[level] && list->counter[level] < COUNTER_MAX) {
        list->counter[level]++;
    } else if (!list->counting[level]) {
        list->counter[level] = level_start(list, abstract, level);
        list->counting[level] = true;
    }
    for (int deeper = level + 1; deeper < NUMBERING_LEVELS; deeper++) {
        list->counting[deeper] = false;
    }
}

/* The level's w:lvlText with each %N as level N-1's number in its format. */
static void expand(struct label *l, const struct list *list, const struct abstract_list *abstract,
                   int level)
{
    for (const char *c = abstract->levels[level].text; *c; c++) {
        if (c[0] != '%' || c[1] < '1' || c[1] > '0' + NUMBERING_LEVELS) {
            put(l, c, 1);
            continue;
        }
        int of = *++c - '1';
        int value = list->counting[of] ? list->counter[of] : level_start(list, abstract, of);
        enum format format = (enum format)abstract->levels[of].format;
        if (format != FORMAT_BULLET && format != FORMAT_NONE) {
            put_number(l, value, format);
        }
    }
}

size_t numbering_next_label(struct numbering *n, const struct numbering_paragraph *p, char *label,
                            size_t size)
{
    struct label l = {label, size, 0};
    if (size > 0) {
        label[0] = '\0';
    }
    int num_id, level;
    resolve(n, p, &num_id, &level);
    struct list key = {.id = num_id};
    struct list *list =
        num_id > 0 && level < NUMBERING_LEVELS
            ? bsearch(&key, n->lists.items, n->lists.count, sizeof(key), compare_list)
            : NULL;
    struct abstract_list abstract_key = {.id = list ? list->abstract_id : -1};
    const struct abstract_list *abstract =
        list ? bsearch(&abstract_key, n->abstracts.items, n->abstracts.count, sizeof(abstract_key),
                       compare_abstract)
             : NULL;
    if (!abstract) {
        return 0;
    }
    advance(list, abstract, level);
    enum format format = (enum format)abstract->levels[level].format;
    if (format != FORMAT_BULLET && format != FORMAT_NONE &&
        !abstract->levels[level].text_too_long) {
        expand(&l, list, abstract, level);
    }
    return l.len;
}
