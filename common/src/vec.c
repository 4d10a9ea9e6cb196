/* vec.c - arrays that grow by appends. */
#include "reportflow/vec.h"

#include <stdint.h>
#include <stdlib.h>

size_t rf_vec_grown_cap(size_t cap, size_t need, size_t elem_size)
{
    size_t max = elem_size ? SIZE_MAX / elem_size : SIZE_MAX;
    if (need > max) {
        return 0;
    }
    if (need <= cap) {
        return cap;
    }
    size_t grown = cap ? cap : RF_VEC_FIRST_CAP;
    while (grown < need) {
        grown = grown > max / 2 ? max : grown * 2;
    }
    return grown;
}

void *rf_vec_resize(void *items, size_t cap, size_t elem_size)
{
    if (elem_size && cap > SIZE_MAX / elem_size) {
        return NULL;
    }
    return realloc(items, cap * elem_size);
}

void *rf_vec_reserve(void *items, size_t *cap, size_t cnt, size_t more, size_t elem_size)
{
    if (more > SIZE_MAX - cnt) {
        return NULL;
    }
    size_t grown = rf_vec_grown_cap(*cap, cnt + more, elem_size);
    if (grown == 0) {
        return NULL;
    }
    if (grown == *cap) {
        return items;
    }
    void *resized = rf_vec_resize(items, grown, elem_size);
    if (resized) {
        *cap = grown;
    }
    return resized;
}
