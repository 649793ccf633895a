/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Growing arrays: the one realloc-doubling the loader's tables use (owners,
 * snapshots, map entries, metric series). A leaf any layer may include.
 */
#ifndef TB_ARRAY_H
#define TB_ARRAY_H

#include <stdlib.h>

/*
 * Room for element number count (0-based) in *items of *cap elements of
 * elem_size bytes: doubles the capacity when full, to first when empty.
 * 0 on success; -1 out of memory, *items and *cap unchanged.
 */
static inline int array_reserve(void **items, size_t *cap, size_t count, size_t elem_size, size_t first)
{
	size_t grown;
	void *p;

	if (count < *cap)
		return 0;
	grown = *cap ? *cap * 2 : first;
	p = realloc(*items, grown * elem_size);
	if (!p)
		return -1;
	*items = p;
	*cap = grown;
	return 0;
}

/* array_reserve() for a typed pointer (no cast through void **). */
#define ARRAY_RESERVE(items, cap, count, first) ({				\
	void *array_p_ = (items);						\
	int array_rc_ = array_reserve(&array_p_, &(cap), (count), sizeof(*(items)), (first)); \
	(items) = array_p_;							\
	array_rc_;								\
})

#endif /* TB_ARRAY_H */
