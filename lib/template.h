/*
 * A tiny template language for the per-node identity layer.
 *
 * Hand-written because Debian ships no C template library; it does only
 * what the overlays need (syntax documented in README.md, "Templates"):
 *
 *   {{name}}                     the value of a variable
 *   {{#if name}}...{{else}}...{{/if}}
 *                                 first part when name is set and non-empty
 *                                 (a list: non-empty), else the second
 *   {{#each list}}...{{/each}}    the part once per item of a list; inside,
 *                                 the item's fields hide outer variables
 *   {{! comment }}                nothing
 *
 * A block tag or comment alone on its line takes the line with it, so
 * templates can put one tag per line without leaving blank lines.
 *
 * Every branch is checked on every render, taken or not, and so is the body
 * of an empty list (against the list's declared fields): an unknown variable
 * is an error naming template file and line even when this node would not
 * reach it. The one exception: inside {{#if x}}, x itself may be unset.
 */
#ifndef BRAMBLE_TEMPLATE_H
#define BRAMBLE_TEMPLATE_H

#include <stddef.h>

/* Variables: string values plus named lists of records (sub-scopes). */
struct tscope;

struct tscope *tscope_new(void);
void tscope_free(struct tscope *s);
/* Set (or replace) key in s. */
void tscope_set(struct tscope *s, const char *key, const char *val);
/* The value of key in s itself, or NULL. */
const char *tscope_get(const struct tscope *s, const char *key);
/*
 * Declare a list with the fields every item has (NULL-terminated). An item
 * made by tscope_item starts with all fields set to "".
 */
void tscope_list(struct tscope *s, const char *list, const char *const *fields);
/* Append an item to a declared list; set its fields with tscope_set. */
struct tscope *tscope_item(struct tscope *s, const char *list);

/* Is s[0..len) a variable name: [A-Za-z_][A-Za-z0-9_]*? */
int template_name_ok(const char *s, size_t len);

struct template;

/* Parse text; file names the template in error messages ("file:line: ..."). */
int template_parse(const char *text, size_t len, const char *file, struct template **out);
/* Render with the variables of s; *out is NUL-terminated, *len excludes it. */
int template_render(const struct template *t, const struct tscope *s, char **out,
		    size_t *len);
void template_free(struct template *t);

#endif
