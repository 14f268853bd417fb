#include "err.h"
#include "node_csv.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void reads_rows_any_column_order(void **state)
{
	const char *text = "# exported from head A\r\n"
			   "ip,name,image,mac\r\n"
			   "\r\n"
			   "10.42.0.11,node01,bookworm@2,dc:a6:32:01:02:03\r\n"
			   ",\"node02\",,\n";
	struct node_csv_row *r;
	size_t n;

	(void)state;
	assert_int_equal(node_csv_read(text, "x.csv", &r, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].line, 4);
	assert_string_equal(r[0].name, "node01");
	assert_string_equal(r[0].ip, "10.42.0.11");
	assert_string_equal(r[0].image, "bookworm@2");
	assert_string_equal(r[0].mac, "dc:a6:32:01:02:03");
	assert_null(r[0].serial);
	assert_string_equal(r[1].name, "node02");
	assert_null(r[1].ip);
	assert_null(r[1].mac);
	node_csv_rows_free(r, n);
}

static void round_trip(void **state)
{
	struct node v[2] = {
		{ .name = "node01", .mac = "dc:a6:32:01:02:03", .serial = "9ffefdef",
		  .model = "4", .image = "bookworm", .ver = 2, .ip = "10.42.0.11" },
		{ .name = "odd", .model = "pxe" },
	};
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	struct node_csv_row *r;
	size_t n;

	(void)state;
	node_csv_write(f, v, 2);
	fclose(f);
	assert_string_equal(buf, "name,mac,serial,model,image,ip\n"
				 "node01,dc:a6:32:01:02:03,9ffefdef,4,bookworm@2,10.42.0.11\n"
				 "odd,,,pxe,,\n");
	assert_int_equal(node_csv_read(buf, "x.csv", &r, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].serial, "9ffefdef");
	assert_string_equal(r[1].model, "pxe");
	node_csv_rows_free(r, n);
	free(buf);
}

static void errors_name_line(void **state)
{
	static const struct { const char *text, *err; } bad[] = {
		{ "", "x.csv: no header line" },
		{ "mac,ip\n", "x.csv:1: the header has no 'name' column" },
		{ "name,rack\n", "x.csv:1: unknown column 'rack'" },
		{ "name,name\n", "x.csv:1: column 'name' appears twice" },
		{ "name,mac\nn1\n", "x.csv:2: 1 fields, but the header has 2" },
		{ "name\n\n\"n1\n", "x.csv:3: a quoted field is not closed" },
	};
	struct node_csv_row *r;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(node_csv_read(bad[i].text, "x.csv", &r, &n), -1);
		if (!strstr(err_get(), bad[i].err))
			fail_msg("'%s' lacks '%s'", err_get(), bad[i].err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_rows_any_column_order),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(errors_name_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
