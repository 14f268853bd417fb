#include "mac.h"

#include "err.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Accept 12 hex digits, separated consistently: none, ':' or '-' every 2
 * digits, or '.' every 4 (Cisco).
 */
int mac_parse(const char *s, uint8_t mac[6])
{
	size_t len = strlen(s);
	int step = 0, ndig = 0;
	char sep = 0;

	if (len == 17 && (s[2] == ':' || s[2] == '-'))
		sep = s[2], step = 2;
	else if (len == 14 && s[4] == '.')
		sep = '.', step = 4;
	else if (len != 12)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v;

		if (step && (i + 1) % (size_t)(step + 1) == 0) {
			if (s[i] != sep)
				return -1;
			continue;
		}
		if ((v = hexval((unsigned char)s[i])) < 0)
			return -1;
		if (ndig % 2 == 0)
			mac[ndig / 2] = (uint8_t)(v << 4);
		else
			mac[ndig / 2] |= (uint8_t)v;
		ndig++;
	}
	return ndig == 12 ? 0 : -1;
}

static void format(const uint8_t mac[6], char out[MAC_STRLEN], char sep)
{
	snprintf(out, MAC_STRLEN, "%02x%c%02x%c%02x%c%02x%c%02x%c%02x", mac[0], sep,
		 mac[1], sep, mac[2], sep, mac[3], sep, mac[4], sep, mac[5]);
}

void mac_format(const uint8_t mac[6], char out[MAC_STRLEN])
{
	format(mac, out, ':');
}

void mac_dashed(const uint8_t mac[6], char out[MAC_STRLEN])
{
	format(mac, out, '-');
}

int mac_canonical(const char *s, char out[MAC_STRLEN])
{
	uint8_t mac[6];

	if (mac_parse(s, mac) < 0)
		return err_set("'%s' is not a MAC address (expected e.g. dc:a6:32:01:02:03)", s);
	mac_format(mac, out);
	return 0;
}

int mac_is_dashed(const char *s)
{
	uint8_t m[6];

	return strlen(s) == MAC_STRLEN - 1 && s[2] == '-' && mac_parse(s, m) == 0;
}
