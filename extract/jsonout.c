/* jsonout.c - small JSON objects of known-valid strings: see jsonout.h. */
#include "jsonout.h"

void jsonout_begin(struct jsonout *o)
{
    o->obj = json_object();
    o->failed = o->obj == NULL;
}

void jsonout_set(struct jsonout *o, const char *key, json_t *value)
{
    if (o->failed || !value) {
        o->failed = true;
        json_decref(value);
        return;
    }
    o->failed = json_object_set_new_nocheck(o->obj, key, value) != 0;
}

void jsonout_str(struct jsonout *o, const char *key, const char *s)
{
    jsonout_set(o, key, s ? json_string_nocheck(s) : json_null());
}

void jsonout_int(struct jsonout *o, const char *key, json_int_t v)
{
    jsonout_set(o, key, json_integer(v));
}

void jsonout_bool(struct jsonout *o, const char *key, bool v)
{
    jsonout_set(o, key, json_boolean(v));
}

json_t *jsonout_end(struct jsonout *o)
{
    if (o->failed) {
        json_decref(o->obj);
        o->obj = NULL;
    }
    return o->obj;
}
