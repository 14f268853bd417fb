/* Node lists as CSV (`imgtool node import`): quoting, CRLF, headers. */
#include "fuzz.h"

#include "node_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size);
	struct node_csv_row *rows;
	size_t n;

	if (node_csv_read(text, "fuzz.csv", &rows, &n) == 0)
		node_csv_rows_free(rows, n);
	free(text);
	return 0;
}
