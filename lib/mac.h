/*
 * Ethernet MAC addresses in the spellings admins paste: aa:bb:cc:dd:ee:ff,
 * AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff, aabbccddeeff. Stored canonical
 * (lower case, colons); dnsmasq's tftp-unique-root=mac and the Pi's
 * TFTP_PREFIX=2 use the dashed form.
 */
#ifndef BRAMBLE_MAC_H
#define BRAMBLE_MAC_H

#include <stdint.h>

#define MAC_STRLEN 18	/* "aa:bb:cc:dd:ee:ff" + NUL */

int mac_parse(const char *s, uint8_t mac[6]);
void mac_format(const uint8_t mac[6], char out[MAC_STRLEN]);
void mac_dashed(const uint8_t mac[6], char out[MAC_STRLEN]);
/* Is s a MAC in the dashed form (the name of a node's TFTP dir)? */
int mac_is_dashed(const char *s);
/* Canonicalize in place into out; -1 with err set when malformed. */
int mac_canonical(const char *s, char out[MAC_STRLEN]);

#endif
