/*
 * vec.h - arrays that grow by appends: one rule for how they grow (doubling,
 * from RF_VEC_FIRST_CAP elements) and one overflow check on the byte count,
 * for every array of any element type. The caller keeps its own pointer,
 * count and capacity, so each array stays typed:
 *
 *     struct fact *grown = rf_vec_reserve(l->items, &l->cap, l->cnt, 1, sizeof(*grown));
 *     if (!grown) {
 *         return -1; // l->items is still valid and still the caller's
 *     }
 *     l->items = grown;
 *     l->items[l->cnt++] = f;
 */
#ifndef RF_VEC_H
#define RF_VEC_H

#include <stddef.h>

#define RF_VEC_FIRST_CAP 16

/**
 * The capacity an array of @p cap elements grows to so that @p need fit: @p cap
 * itself when they do, else the first doubling from RF_VEC_FIRST_CAP that
 * holds them. @returns 0 when that many elements of @p elem_size bytes would
 * not fit in a size_t.
 */
size_t rf_vec_grown_cap(size_t cap, size_t need, size_t elem_size);

/**
 * @p items (@p cap elements of @p elem_size bytes, @p cnt used, NULL when
 * @p cap is 0) with room for @p more (> 0) elements after the used ones:
 * the same array when they fit, else a larger one (realloc), *@p cap updated.
 * @returns NULL on ENOMEM or overflow, with @p items and *@p cap unchanged.
 */
void *rf_vec_reserve(void *items, size_t *cap, size_t cnt, size_t more, size_t elem_size);

/** realloc() to @p cap elements of @p elem_size bytes, NULL on overflow as on ENOMEM. */
void *rf_vec_resize(void *items, size_t cap, size_t elem_size);

#endif
