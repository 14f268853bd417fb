#include "diskfull.h"

#include "err.h"
#include "xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

int err_write(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	errno = saved;
	if (saved == ENOSPC || saved == EDQUOT)
		err_set("disk full: %s: free space on that filesystem or use a larger state "
			"directory (--state)", what);
	else
		err_errno("%s", what);
	free(what);
	errno = saved;
	return -1;
}
