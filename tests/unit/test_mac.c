#include "mac.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static void accepts_usual_spellings(void **state)
{
	static const char *const good[] = {
		"dc:a6:32:01:02:03", "DC-A6-32-01-02-03", "dca6.3201.0203", "DCA632010203",
	};
	char out[MAC_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_int_equal(mac_canonical(good[i], out), 0);
		assert_string_equal(out, "dc:a6:32:01:02:03");
	}
}

static void rejects_malformed(void **state)
{
	static const char *const bad[] = {
		"", "dc:a6:32:01:02", "dc:a6:32:01:02:0g", "dc:a6-32:01:02:03",
		"dca6.3201.02033", "dc:a6:32:01:02:03:04", "dca63201020", "dc::a6:32:01:02:03",
	};
	char out[MAC_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(mac_canonical(bad[i], out), -1);
}

static void dashed_form(void **state)
{
	uint8_t mac[6];
	char out[MAC_STRLEN];

	(void)state;
	assert_int_equal(mac_parse("2c:cf:67:aa:bb:0c", mac), 0);
	mac_dashed(mac, out);
	assert_string_equal(out, "2c-cf-67-aa-bb-0c");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_usual_spellings),
		cmocka_unit_test(rejects_malformed),
		cmocka_unit_test(dashed_form),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
