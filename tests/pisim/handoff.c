/*
 * --handoff DIR: what the firmware hands the kernel, written out for a
 * real kernel to boot (scripts/realos runs it in QEMU): DIR/kernel,
 * DIR/initramfs (when one was loaded) and DIR/cmdline.txt, each exactly as
 * fetched, from the last successful request of the name config.txt chose.
 */
#include "pisim.h"

#include "err.h"
#include "fsutil.h"
#include "log.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static const struct tftp_file *fetched(const struct sim *s, const char *name)
{
	char *full = xasprintf("%s%s", s->prefix, name);
	const struct tftp_file *hit = NULL;

	for (size_t i = 0; i < s->nfiles; i++)
		if (s->files[i].status == FILE_OK && !strcmp(s->files[i].name, full))
			hit = &s->files[i];
	free(full);
	return hit;
}

static int hand(const struct sim *s, const char *name, const char *as)
{
	const struct tftp_file *f = fetched(s, name);
	char *path;
	int rc;

	if (!f)
		return err_set("%s%s was not fetched: nothing to hand over as %s", s->prefix, name, as);
	path = xasprintf("%s/%s", s->o.handoff_dir, as);
	rc = write_file_atomic(path, f->data, f->len, 0644);
	if (!rc)
		log_info("handoff: %s%s -> %s", s->prefix, name, path);
	free(path);
	return rc;
}

int handoff_write(struct sim *s)
{
	const char *kernel = configtxt_kernel(&s->cfg, s->o.m);
	char *initramfs = NULL;
	int required, rc;

	if (mkdir_p(s->o.handoff_dir, 0755))
		return sim_fail(s, "handoff");
	if (s->initramfs_loaded)
		initramfs = configtxt_initramfs(&s->cfg, kernel, &required);
	rc = hand(s, kernel, "kernel") || hand(s, configtxt_cmdline(&s->cfg), "cmdline.txt") ||
	     (initramfs && hand(s, initramfs, "initramfs"));
	free(initramfs);
	return rc ? sim_fail(s, "handoff") : 0;
}
