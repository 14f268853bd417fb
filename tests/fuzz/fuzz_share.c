/*
 * What admins type about shares, each check on the same input: name,
 * mount path, squash and protocol words, ro's yes/no, and the input as a
 * member spec matched against two nodes (names, ranges, selectors).
 */
#include "fuzz.h"

#include "share.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char name1[] = "node01", name2[] = "r1-pi5", four[] = "4", five[] = "5",
		    os[] = "os", vars[] = "rack=r1\nconfig.gpu_mem=16\n";
	struct node n1 = { .name = name1, .model = four, .image = os, .vars = vars };
	struct node n2 = { .name = name2, .model = five };
	char *s = fuzz_str(data, size);
	struct share sh = { .name = s, .nodes = s, .mount = s, .squash = s, .proto = s };
	int ro;

	share_check_name(s);
	share_check_mount(s);
	share_check_squash(s);
	share_check_proto(s);
	share_parse_bool(s, &ro);
	share_has_member(&sh, &n1);
	share_has_member(&sh, &n2);
	free(share_mount_options(&(struct share){ .proto = s, .ro = (int)(size & 1) }));
	free(s);
	return 0;
}
