#include "configtxt.h"

#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Which conditional sections are active. Filters of one kind replace each other, kinds AND. */
struct filter_state {
	int model, serial, other;
};

static const char *const model_filters[] = {
	"pi0", "pi0w", "pi02", "pi1", "pi2", "pi3", "pi3+", "pi4", "pi400", "pi5", "pi500",
	"cm0", "cm1", "cm3", "cm3+", "cm4", "cm4s", "cm5", "cm5lite",
};

static int is_model_filter(const char *f)
{
	for (size_t i = 0; i < sizeof model_filters / sizeof model_filters[0]; i++)
		if (!strcasecmp(f, model_filters[i]))
			return 1;
	return 0;
}

static int model_matches(const struct model *m, const char *f)
{
	for (size_t i = 0; i < sizeof m->filters / sizeof m->filters[0] && m->filters[i]; i++)
		if (!strcasecmp(f, m->filters[i]))
			return 1;
	return 0;
}

static void apply_filter(struct filter_state *st, const char *f, const struct model *m,
			 uint32_t serial, uint32_t board_rev)
{
	if (!strcasecmp(f, "all")) {
		st->model = st->serial = st->other = 1;
	} else if (is_model_filter(f)) {
		st->model = model_matches(m, f);
	} else if (!strncasecmp(f, "0x", 2)) {
		st->serial = strtoul(f, NULL, 16) == serial;
	} else if (!strncasecmp(f, "board-type=", 11)) {
		st->model = strtoul(f + 11, NULL, 0) == ((board_rev >> 4) & 0xff);
	} else {
		/* [HDMI:n] only scopes display settings; [none], [tryboot], [EDID=], [gpio], [partition=] are false on a plain net boot */
		st->other = !strncasecmp(f, "HDMI:", 5);
	}
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static void add_overlay(struct configtxt *c, const char *v)
{
	size_t n = strcspn(v, ",:");
	char *name = xstrdup(v);

	name[n] = '\0';
	n = strlen(name);
	if (n > 5 && !strcmp(name + n - 5, ".dtbo"))
		name[n - 5] = '\0';
	for (size_t i = 0; i < c->n_overlays; i++) {
		if (!strcmp(c->overlays[i], name)) {
			free(name);
			return;
		}
	}
	if (!name[0]) {		/* a bare "dtoverlay=" ends a parameter scope */
		free(name);
		return;
	}
	c->overlays = xrealloc(c->overlays, (c->n_overlays + 1) * sizeof *c->overlays);
	c->overlays[c->n_overlays++] = name;
}

static void setting(struct configtxt *c, char *line)
{
	char *eq = strchr(line, '='), *k, *v;

	if (!eq) {
		if (!strncmp(line, "initramfs", 9) && isspace((unsigned char)line[9])) {
			v = trim(line + 9);
			v[strcspn(v, " \t")] = '\0';
			set_str(&c->initramfs, v);
		} else if (!strncmp(line, "include", 7) && isspace((unsigned char)line[7])) {
			c->includes++;
		}
		return;
	}
	*eq = '\0';
	k = trim(line);
	v = trim(eq + 1);
	if (!strcmp(k, "kernel"))
		set_str(&c->kernel, v);
	else if (!strcmp(k, "auto_initramfs"))
		c->auto_initramfs = atoi(v);
	else if (!strcmp(k, "arm_64bit"))
		c->arm_64bit = atoi(v);
	else if (!strcmp(k, "device_tree"))
		set_str(&c->device_tree, v);
	else if (!strcmp(k, "cmdline"))
		set_str(&c->cmdline, v);
	else if (!strcmp(k, "dtoverlay"))
		add_overlay(c, v);
}

void configtxt_parse(const char *text, size_t len, const struct model *m, uint32_t serial,
		     uint32_t board_rev, struct configtxt *c)
{
	struct filter_state st = { 1, 1, 1 };
	char *buf, *save = NULL;

	memset(c, 0, sizeof *c);
	c->auto_initramfs = c->arm_64bit = -1;
	if (len > CONFIGTXT_NETBOOT_MAX) {
		c->truncated = 1;
		len = CONFIGTXT_NETBOOT_MAX;
	}
	buf = xmalloc(len + 1);
	memcpy(buf, text, len);
	buf[len] = '\0';
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *s = trim(l);

		if (!*s || *s == '#')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');

			if (end) {
				*end = '\0';
				apply_filter(&st, trim(s + 1), m, serial, board_rev);
			}
			continue;
		}
		if (st.model && st.serial && st.other)
			setting(c, s);
	}
	free(buf);
}

void configtxt_free(struct configtxt *c)
{
	free(c->kernel);
	free(c->initramfs);
	free(c->device_tree);
	free(c->cmdline);
	for (size_t i = 0; i < c->n_overlays; i++)
		free(c->overlays[i]);
	free(c->overlays);
	memset(c, 0, sizeof *c);
}

const char *configtxt_kernel(const struct configtxt *c, const struct model *m)
{
	if (c->kernel)
		return c->kernel;
	return model_kernel(m, c->arm_64bit < 0 ? m->default_64bit : c->arm_64bit);
}

const char *configtxt_dtb(const struct configtxt *c, const struct model *m)
{
	return c->device_tree ? c->device_tree : m->dtb;
}

const char *configtxt_cmdline(const struct configtxt *c)
{
	return c->cmdline ? c->cmdline : "cmdline.txt";
}

/* kernel8.img -> "8", kernel_2712.img -> "_2712"; NULL for names the firmware did not pick itself. */
static char *kernel_suffix(const char *kernel)
{
	size_t n = strlen(kernel);

	if (n < 10 || strncmp(kernel, "kernel", 6) || strcmp(kernel + n - 4, ".img"))
		return NULL;
	for (size_t i = 6; i < n - 4; i++)
		if (!isalnum((unsigned char)kernel[i]) && kernel[i] != '_')
			return NULL;
	return xasprintf("%.*s", (int)(n - 10), kernel + 6);
}

char *configtxt_initramfs(const struct configtxt *c, const char *kernel, int *required)
{
	char *suffix, *name;

	*required = c->initramfs != NULL;
	if (c->initramfs)
		return xstrdup(c->initramfs);
	if (c->auto_initramfs != 1 || !(suffix = kernel_suffix(kernel)))
		return NULL;
	name = xasprintf("initramfs%s", suffix);
	free(suffix);
	return name;
}
