/* The shares as bootsrv shows them: status, page, metrics. */
#include "bootsrv.h"

#include "err.h"
#include "log.h"
#include "share.h"

/* Walking a large /home every 2 s (the page reloads) would cost more than
 * the numbers are worth; they lag by this much at most. */
#define SHARES_TTL_MS 30000

json_t *shares_status(struct daemon *d)
{
	json_t *fresh;

	if (d->shares && now_ms() - d->shares_at < SHARES_TTL_MS)
		return d->shares;
	if (!(fresh = share_list_json(d->db, d->cfg))) {
		log_warn("cannot read the shares: %s", err_get());
		if (!d->shares)
			d->shares = json_array();
		return d->shares;
	}
	json_decref(d->shares);
	d->shares = fresh;
	d->shares_at = now_ms();
	return d->shares;
}

void shares_forget(struct daemon *d)
{
	json_decref(d->shares);
	d->shares = NULL;
}
