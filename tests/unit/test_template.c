#include "err.h"
#include "template.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static const char *const node_fields[] = { "name", "ip", NULL };

static struct tscope *vars(int nodes)
{
	struct tscope *s = tscope_new();

	tscope_set(s, "name", "node01");
	tscope_set(s, "cluster", "lab");
	tscope_set(s, "empty", "");
	tscope_list(s, "nodes", node_fields);
	for (int i = 0; i < nodes; i++) {
		struct tscope *it = tscope_item(s, "nodes");
		char name[16], ip[16];

		snprintf(name, sizeof name, "node%02d", i + 1);
		tscope_set(it, "name", name);
		if (i != 1) {
			snprintf(ip, sizeof ip, "10.0.0.%d", i + 10);
			tscope_set(it, "ip", ip);
		}
	}
	return s;
}

/* Render src with s; returns the output (caller frees) or NULL on error. */
static char *render(const char *src, const struct tscope *s)
{
	struct template *t;
	char *out = NULL;

	err_clear();
	if (template_parse(src, strlen(src), "t.tmpl", &t) < 0)
		return NULL;
	if (template_render(t, s, &out, NULL) < 0)
		out = NULL;
	template_free(t);
	return out;
}

static void expect(const char *src, const char *want, int nodes)
{
	struct tscope *s = vars(nodes);
	char *out = render(src, s);

	if (!out)
		fail_msg("render failed: %s", err_get());
	assert_string_equal(out, want);
	free(out);
	tscope_free(s);
}

static void expect_error(const char *src, const char *want)
{
	struct tscope *s = vars(2);
	char *out = render(src, s);

	assert_null(out);
	if (!strstr(err_get(), want))
		fail_msg("error '%s' lacks '%s'", err_get(), want);
	tscope_free(s);
}

static void variables(void **state)
{
	(void)state;
	expect("{{name}}\n", "node01\n", 0);
	expect("a {{ name }} b{{cluster}}", "a node01 blab", 0);
	expect("no tags at all\n", "no tags at all\n", 0);
	expect("{{! a comment }}x", "x", 0);
	expect("single { brace } and }} alone", "single { brace } and }} alone", 0);
}

static void each_and_standalone_lines(void **state)
{
	(void)state;
	expect("127.0.0.1 localhost\n"
	       "{{#each nodes}}\n"
	       "{{#if ip}}\n"
	       "{{ip}} {{name}}.{{cluster}} {{name}}\n"
	       "{{/if}}\n"
	       "{{/each}}\n"
	       "end\n",
	       "127.0.0.1 localhost\n"
	       "10.0.0.10 node01.lab node01\n"
	       "10.0.0.12 node03.lab node03\n"
	       "end\n", 3);
	/* Tags sharing a line with text stay inline. */
	expect("{{#each nodes}}{{name}},{{/each}}\n", "node01,node02,\n", 2);
	/* An item's unset field is empty, not the outer variable of that name. */
	expect("{{#each nodes}}[{{ip}}]{{/each}}", "[10.0.0.10][]", 2);
	expect("{{#if nodes}}some{{else}}none{{/if}}", "none", 0);
	expect("  {{! indented comment line }}\nx\n", "x\n", 0);
}

static void conditionals(void **state)
{
	(void)state;
	expect("{{#if cluster}}yes{{else}}no{{/if}}", "yes", 0);
	expect("{{#if empty}}yes{{else}}no{{/if}}", "no", 0);
	/* An unset variable is false, and may be used inside its own if. */
	expect("{{#if extra}}x={{extra}}{{/if}}.", ".", 0);
}

static void errors_name_file_and_line(void **state)
{
	(void)state;
	expect_error("ok\n{{nmae}}\n", "t.tmpl:2: unknown variable 'nmae'");
	/* Checked even in a branch not taken and in the body of an empty list. */
	expect_error("{{#if empty}}\n\n{{typo}}\n{{/if}}", "t.tmpl:3: unknown variable 'typo'");
	expect_error("{{#if extra}}{{other}}{{/if}}", "t.tmpl:1: unknown variable 'other'");
	{
		struct tscope *s = vars(0);
		char *out = render("{{#each nodes}}\n{{nam}}\n{{/each}}", s);

		assert_null(out);
		assert_non_null(strstr(err_get(), "t.tmpl:2: unknown variable 'nam'"));
		tscope_free(s);
	}
	expect_error("{{#each hosts}}{{/each}}", "t.tmpl:1: unknown list 'hosts'");
	expect_error("a\n{{#if name}}\nb\n", "t.tmpl:2: block opened here is never closed");
	expect_error("{{/each}}", "t.tmpl:1: {{/each}} without a matching {{#each}}");
	expect_error("{{#each nodes}}{{/if}}", "{{/if}} without a matching {{#if}}");
	expect_error("{{#each nodes}}{{else}}{{/each}}", "{{else}} without a matching {{#if}}");
	expect_error("{{#if name}}{{else}}{{else}}{{/if}}", "has two {{else}}");
	expect_error("x\ny {{name", "t.tmpl:2: '{{' is never closed");
	expect_error("{{#unless name}}{{/unless}}", "unknown block '{{#unless name}}'");
	expect_error("{{na me}}", "is not a variable name");
	expect_error("{{#if}}{{/if}}", "'{{#if}}' needs a variable name");
	expect_error("{{/if x}}", "'{{/if}}' takes no argument");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(variables),
		cmocka_unit_test(each_and_standalone_lines),
		cmocka_unit_test(conditionals),
		cmocka_unit_test(errors_name_file_and_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
