/*
 * What admins type about nodes, each check on the same input: MAC in its
 * four spellings, name, serial, model, IP (inside 10.42.0.1/N, N from the
 * input's length), IP arithmetic, name ranges, K=V variables and the vars
 * column they are merged into.
 */
#include "fuzz.h"

#include "mac.h"
#include "node_parse.h"

static const char vars[] = "alpha=1\nconfig.arm_freq=1800\nzeta=z\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char server_ip[] = "10.42.0.1";
	struct config cfg = { .server_ip = server_ip, .prefix_len = (int)(size % 34) };
	char *s = fuzz_str(data, size), *key, *val;
	char mac[MAC_STRLEN], serial[SERIAL_STRLEN], ip[INET_ADDRSTRLEN], **names;
	uint8_t raw[6];
	size_t n;

	mac_parse(s, raw);
	mac_canonical(s, mac);
	node_check_name(s);
	node_check_serial(s, serial);
	node_check_model(s);
	node_check_ip(&cfg, s);
	node_ip_add(s, (unsigned)size * 977u, ip);
	if (node_range(s, &names, &n) == 0)
		node_names_free(names, n);
	if (node_parse_var(s, &key, &val) == 0) {
		free(node_vars_set(vars, key, val));
		free(node_vars_set(vars, key, ""));
		free(key);
		free(val);
	}
	/* the input as a vars column someone edited by hand */
	free(node_vars_set(s, "beta", "2"));
	free(s);
	return 0;
}
