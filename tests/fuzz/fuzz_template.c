/* The template parser, and rendering what parses against a scope like a
 * node's: plain variables, an empty one, and a list with an unset field. */
#include "fuzz.h"

#include "template.h"

static const char *const node_fields[] = { "name", "ip", "mac", NULL };

static struct tscope *scope(void)
{
	struct tscope *s = tscope_new(), *it;

	tscope_set(s, "name", "node01");
	tscope_set(s, "cluster", "lab");
	tscope_set(s, "empty", "");
	tscope_list(s, "nodes", node_fields);
	it = tscope_item(s, "nodes");
	tscope_set(it, "name", "node01");
	tscope_set(it, "ip", "10.42.0.11");
	it = tscope_item(s, "nodes");
	tscope_set(it, "name", "node02");
	tscope_list(s, "none", node_fields);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tscope *s;
	struct template *t;
	char *out;
	size_t len;

	if (!s)
		s = scope();	/* read-only while rendering: one for the run */
	/* the parser takes a length, so the input goes in as it is */
	if (template_parse((const char *)data, size, "fuzz.tmpl", &t) < 0)
		return 0;
	if (template_render(t, s, &out, &len) == 0)
		free(out);
	template_free(t);
	return 0;
}
