#include "elfarch.h"

#include "err.h"

#include <elf.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_in_root(int rootfd, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

static const char *arch_of(const unsigned char *h)
{
	/* e_machine and e_flags sit at the same offsets in both classes for
	 * what we read; the byte order is the file's own. */
	int le = h[EI_DATA] == ELFDATA2LSB, is64 = h[EI_CLASS] == ELFCLASS64;
	unsigned machine = le ? h[18] | h[19] << 8 : h[18] << 8 | h[19];
	const unsigned char *f = h + (is64 ? 48 : 36);
	unsigned long flags = le ? f[0] | f[1] << 8 | f[2] << 16 | (unsigned long)f[3] << 24
				 : (unsigned long)f[0] << 24 | f[1] << 16 | f[2] << 8 | f[3];

	switch (machine) {
	case EM_AARCH64:
		return "arm64";
	case EM_ARM:
		return flags & EF_ARM_ABI_FLOAT_HARD ? "armhf" : "armel";
	case EM_X86_64:
		return "amd64";
	case EM_386:
		return "i386";
	case EM_RISCV:
		return is64 ? "riscv64" : "riscv32";
	default:
		return NULL;
	}
}

int elfarch_detect(const char *root, const char **arch)
{
	static const char *const probes[] = { "sbin/init", "bin/sh" };
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0)
		return err_errno("cannot open %s", root);
	for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
		unsigned char h[64];
		int fd = open_in_root(rootfd, probes[i]);
		ssize_t n;

		if (fd < 0)
			continue;
		n = pread(fd, h, sizeof h, 0);
		close(fd);
		if (n == sizeof h && memcmp(h, ELFMAG, SELFMAG) == 0 && (*arch = arch_of(h))) {
			close(rootfd);
			return 0;
		}
	}
	close(rootfd);
	return err_set("cannot tell the architecture of %s: neither /sbin/init nor /bin/sh is "
		       "an ELF program of a known machine", root);
}
