#include "template.h"

#include "err.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- variables ---------------------------------------------------------- */

struct tvar {
	char *key, *val;
};

struct tlist {
	char *name;
	struct tscope *proto;	/* the declared fields, all "" */
	struct tscope **items;
	size_t n, cap;
};

struct tscope {
	const struct tscope *parent;
	struct tvar *vars;
	size_t nvars, capvars;
	struct tlist *lists;
	size_t nlists, caplists;
};

struct tscope *tscope_new(void)
{
	return xcalloc(1, sizeof(struct tscope));
}

void tscope_free(struct tscope *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nvars; i++) {
		free(s->vars[i].key);
		free(s->vars[i].val);
	}
	for (size_t i = 0; i < s->nlists; i++) {
		struct tlist *l = &s->lists[i];

		for (size_t j = 0; j < l->n; j++)
			tscope_free(l->items[j]);
		free(l->items);
		tscope_free(l->proto);
		free(l->name);
	}
	free(s->vars);
	free(s->lists);
	free(s);
}

static struct tvar *find_var(const struct tscope *s, const char *key)
{
	for (size_t i = 0; i < s->nvars; i++)
		if (!strcmp(s->vars[i].key, key))
			return &s->vars[i];
	return NULL;
}

void tscope_set(struct tscope *s, const char *key, const char *val)
{
	struct tvar *v = find_var(s, key);

	if (v) {
		free(v->val);
		v->val = xstrdup(val);
		return;
	}
	if (s->nvars == s->capvars)
		s->vars = xrealloc(s->vars, (s->capvars = s->capvars ? s->capvars * 2 : 32) *
				   sizeof *s->vars);
	s->vars[s->nvars].key = xstrdup(key);
	s->vars[s->nvars++].val = xstrdup(val);
}

const char *tscope_get(const struct tscope *s, const char *key)
{
	struct tvar *v = find_var(s, key);

	return v ? v->val : NULL;
}

static struct tlist *find_list(const struct tscope *s, const char *name)
{
	for (size_t i = 0; i < s->nlists; i++)
		if (!strcmp(s->lists[i].name, name))
			return &s->lists[i];
	return NULL;
}

void tscope_list(struct tscope *s, const char *list, const char *const *fields)
{
	struct tlist *l;

	if (find_list(s, list))
		return;
	if (s->nlists == s->caplists)
		s->lists = xrealloc(s->lists, (s->caplists = s->caplists ? s->caplists * 2 : 4) *
				    sizeof *s->lists);
	l = &s->lists[s->nlists++];
	memset(l, 0, sizeof *l);
	l->name = xstrdup(list);
	l->proto = tscope_new();
	l->proto->parent = s;
	for (size_t i = 0; fields[i]; i++)
		tscope_set(l->proto, fields[i], "");
}

struct tscope *tscope_item(struct tscope *s, const char *list)
{
	struct tlist *l = find_list(s, list);
	struct tscope *it;

	if (!l)
		abort();	/* programming error: declare the list first */
	if (l->n == l->cap)
		l->items = xrealloc(l->items, (l->cap = l->cap ? l->cap * 2 : 16) *
				    sizeof *l->items);
	it = l->items[l->n++] = tscope_new();
	it->parent = s;
	for (size_t i = 0; i < l->proto->nvars; i++)
		tscope_set(it, l->proto->vars[i].key, "");
	return it;
}

/* ---- parsing ------------------------------------------------------------ */

enum tkind { N_TEXT, N_VAR, N_IF, N_EACH };

struct tnode {
	enum tkind kind;
	int line;
	char *s;		/* text, or the variable / list name */
	size_t len;		/* text length */
	struct tnode *body;	/* if: then-part; each: the loop body */
	struct tnode *alt;	/* if: else-part */
	struct tnode *next;
};

struct template {
	char *file;
	struct tnode *root;
};

/* What ended a block: the closing tag the caller expects. */
enum tend { E_EOF, E_ELSE, E_ENDIF, E_ENDEACH };

struct parser {
	const char *src, *p, *end;
	const char *file;
	int line;		/* line of p */
};

static void free_nodes(struct tnode *n)
{
	while (n) {
		struct tnode *next = n->next;

		free_nodes(n->body);
		free_nodes(n->alt);
		free(n->s);
		free(n);
		n = next;
	}
}

static struct tnode *new_node(enum tkind kind, int line, const char *s, size_t len)
{
	struct tnode *n = xcalloc(1, sizeof *n);

	n->kind = kind;
	n->line = line;
	n->s = xmalloc(len + 1);
	memcpy(n->s, s, len);
	n->s[len] = '\0';
	n->len = len;
	return n;
}

static int count_lines(const char *a, const char *b)
{
	int n = 0;

	for (; a < b; a++)
		n += *a == '\n';
	return n;
}

int template_name_ok(const char *s, size_t len)
{
	if (len == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/*
 * A tag: its kind, the name it carries and where it sits. Block tags and
 * comments alone on their line are "standalone" and swallow the line.
 */
struct tag {
	enum { G_VAR, G_IF, G_ELSE, G_ENDIF, G_EACH, G_ENDEACH, G_COMMENT } kind;
	const char *name;
	size_t nlen;
	const char *start, *stop;	/* the "{{" and just past "}}" */
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int read_tag(struct parser *ps, const char *open, struct tag *t)
{
	const char *close = NULL, *a, *b;
	int line = ps->line + count_lines(ps->p, open);

	for (const char *q = open + 2; q + 1 < ps->end; q++)
		if (q[0] == '}' && q[1] == '}') {
			close = q;
			break;
		}
	if (!close)
		return err_set("%s:%d: '{{' is never closed by '}}'", ps->file, line);
	t->start = open;
	t->stop = close + 2;
	a = open + 2;
	b = close;
	while (a < b && isspace((unsigned char)*a))
		a++;
	while (b > a && isspace((unsigned char)b[-1]))
		b--;
	if (a < b && *a == '!') {
		t->kind = G_COMMENT;
		return 0;
	}
	static const struct { const char *word; int kind, named; } words[] = {
		{ "#if", G_IF, 1 }, { "#each", G_EACH, 1 }, { "else", G_ELSE, 0 },
		{ "/if", G_ENDIF, 0 }, { "/each", G_ENDEACH, 0 },
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t wl = strlen(words[i].word);

		if ((size_t)(b - a) < wl || memcmp(a, words[i].word, wl) ||
		    (a + wl < b && !isspace((unsigned char)a[wl])))
			continue;
		t->kind = words[i].kind;
		a += wl;
		while (a < b && isspace((unsigned char)*a))
			a++;
		if (!words[i].named && a != b)
			return err_set("%s:%d: '{{%s}}' takes no argument", ps->file, line,
				       words[i].word);
		if (words[i].named && !template_name_ok(a, (size_t)(b - a)))
			return err_set("%s:%d: '{{%s}}' needs a variable name", ps->file, line,
				       words[i].word);
		t->name = a;
		t->nlen = (size_t)(b - a);
		return 0;
	}
	if (*a == '#' || *a == '/')
		return err_set("%s:%d: unknown block '{{%.*s}}' (blocks: #if, #each)", ps->file,
			       line, (int)(b - a), a);
	if (!template_name_ok(a, (size_t)(b - a)))
		return err_set("%s:%d: '{{%.*s}}' is not a variable name (letters, digits, '_')",
			       ps->file, line, (int)(b - a), a);
	t->kind = G_VAR;
	t->name = a;
	t->nlen = (size_t)(b - a);
	return 0;
}

/* If the block tag stands alone on its line, widen it to the whole line. */
static void standalone(const struct parser *ps, struct tag *t)
{
	const char *a = t->start, *b = t->stop;

	if (t->kind == G_VAR)
		return;
	while (a > ps->src && is_blank(a[-1]))
		a--;
	if (a > ps->src && a[-1] != '\n')
		return;
	while (b < ps->end && is_blank(*b))
		b++;
	if (b < ps->end && *b != '\n')
		return;
	t->start = a;
	t->stop = b < ps->end ? b + 1 : b;
}

static const char *tag_word(enum tend e)
{
	return e == E_ENDIF ? "{{/if}}" : e == E_ENDEACH ? "{{/each}}" : "{{else}}";
}

/*
 * Parse nodes up to the closing tag `want` (E_EOF: end of text); *got says
 * which closing tag ended the block (else/endif both end an if's then-part).
 */
static int parse_block(struct parser *ps, enum tend want, int opened, struct tnode **out,
		       enum tend *got)
{
	struct tnode *head = NULL, **tail = &head;

	for (;;) {
		const char *open = NULL;
		struct tag t = { 0 };

		for (const char *q = ps->p; q + 1 < ps->end; q++)
			if (q[0] == '{' && q[1] == '{') {
				open = q;
				break;
			}
		if (!open) {
			if (ps->p < ps->end) {
				*tail = new_node(N_TEXT, ps->line, ps->p, (size_t)(ps->end - ps->p));
				tail = &(*tail)->next;
			}
			ps->line += count_lines(ps->p, ps->end);
			ps->p = ps->end;
			if (want != E_EOF) {
				err_set("%s:%d: block opened here is never closed with %s",
					ps->file, opened, tag_word(want));
				goto fail;
			}
			*got = E_EOF;
			*out = head;
			return 0;
		}
		if (read_tag(ps, open, &t) < 0)
			goto fail;
		standalone(ps, &t);
		if (t.start > ps->p) {
			*tail = new_node(N_TEXT, ps->line, ps->p, (size_t)(t.start - ps->p));
			tail = &(*tail)->next;
		}
		int line = ps->line + count_lines(ps->p, open);
		ps->line += count_lines(ps->p, t.stop);
		ps->p = t.stop;

		enum tend end = t.kind == G_ELSE ? E_ELSE : t.kind == G_ENDIF ? E_ENDIF :
				t.kind == G_ENDEACH ? E_ENDEACH : E_EOF;
		if (end != E_EOF) {
			int fits = end == want || (end == E_ELSE && want == E_ENDIF);
			if (!fits) {
				err_set("%s:%d: %s without a matching %s", ps->file, line,
					tag_word(end), end == E_ENDEACH ? "{{#each}}" : "{{#if}}");
				goto fail;
			}
			*got = end;
			*out = head;
			return 0;
		}
		if (t.kind == G_COMMENT)
			continue;
		struct tnode *n = new_node(t.kind == G_VAR ? N_VAR : t.kind == G_IF ? N_IF : N_EACH,
					   line, t.name, t.nlen);
		*tail = n;
		tail = &n->next;
		if (t.kind == G_VAR)
			continue;
		enum tend g;
		if (parse_block(ps, t.kind == G_IF ? E_ENDIF : E_ENDEACH, line, &n->body, &g) < 0)
			goto fail;
		if (g == E_ELSE && parse_block(ps, E_ENDIF, line, &n->alt, &g) < 0)
			goto fail;
		if (g == E_ELSE) {
			err_set("%s:%d: {{#if}} has two {{else}}", ps->file, line);
			goto fail;
		}
	}
fail:
	free_nodes(head);
	return -1;
}

int template_parse(const char *text, size_t len, const char *file, struct template **out)
{
	struct parser ps = { .src = text, .p = text, .end = text + len, .file = file, .line = 1 };
	struct template *t = xcalloc(1, sizeof *t);
	enum tend got;

	if (parse_block(&ps, E_EOF, 1, &t->root, &got) < 0) {
		free(t);
		return -1;
	}
	t->file = xstrdup(file);
	*out = t;
	return 0;
}

void template_free(struct template *t)
{
	if (!t)
		return;
	free_nodes(t->root);
	free(t->file);
	free(t);
}

/* ---- rendering ---------------------------------------------------------- */

/* Names an {{#if}} allows to be unset inside its branches. */
struct guard {
	const char *name;
	const struct guard *up;
};

static const char *lookup(const struct tscope *s, const char *name)
{
	for (; s; s = s->parent) {
		struct tvar *v = find_var(s, name);

		if (v)
			return v->val;
	}
	return NULL;
}

static const struct tlist *lookup_list(const struct tscope *s, const char *name)
{
	for (; s; s = s->parent) {
		struct tlist *l = find_list(s, name);

		if (l)
			return l;
	}
	return NULL;
}

static int guarded(const struct guard *g, const char *name)
{
	for (; g; g = g->up)
		if (!strcmp(g->name, name))
			return 1;
	return 0;
}

/* Emit nodes into out; out NULL only checks names (untaken branches). */
static int emit(const struct template *t, const struct tnode *n, const struct tscope *s,
		FILE *out, const struct guard *g)
{
	for (; n; n = n->next) {
		const struct tlist *l;
		const char *v;

		switch (n->kind) {
		case N_TEXT:
			if (out)
				fwrite(n->s, 1, n->len, out);
			break;
		case N_VAR:
			if (!(v = lookup(s, n->s)) && !guarded(g, n->s))
				return err_set("%s:%d: unknown variable '%s' (README.md, Templates, "
					       "lists the variables)", t->file, n->line, n->s);
			if (out && v)
				fputs(v, out);
			break;
		case N_IF: {
			struct guard here = { n->s, g };
			int yes;

			l = lookup_list(s, n->s);
			v = lookup(s, n->s);
			yes = l ? l->n > 0 : v && *v;
			if (emit(t, n->body, s, yes ? out : NULL, yes ? g : &here) < 0 ||
			    emit(t, n->alt, s, yes ? NULL : out, g) < 0)
				return -1;
			break;
		}
		case N_EACH:
			if (!(l = lookup_list(s, n->s)))
				return err_set("%s:%d: unknown list '%s' in {{#each}} (README.md, "
					       "Templates, lists the lists)", t->file, n->line, n->s);
			if (l->n == 0 && emit(t, n->body, l->proto, NULL, g) < 0)
				return -1;
			for (size_t i = 0; i < l->n; i++)
				if (emit(t, n->body, l->items[i], out, g) < 0)
					return -1;
			break;
		}
	}
	return 0;
}

int template_render(const struct template *t, const struct tscope *s, char **out,
		    size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	int rc;

	if (!f)
		return err_errno("cannot render %s", t->file);
	rc = emit(t, t->root, s, f, NULL);
	if (fclose(f) != 0 && rc == 0)
		rc = err_errno("cannot render %s", t->file);
	if (rc < 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	if (len)
		*len = n;
	return 0;
}
