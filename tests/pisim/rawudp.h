/*
 * UDP over an AF_PACKET socket: DHCP must work on an interface that has
 * no IPv4 address yet, as the bootloader's own stack does. The IPv4 and
 * UDP headers are built here; the kernel adds the Ethernet header.
 */
#ifndef PISIM_RAWUDP_H
#define PISIM_RAWUDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define IPUDP_HDR 28

/* Frame payload into IPv4+UDP at pkt (cap bytes); addresses in network order. Returns length or 0. */
size_t ipudp_build(uint8_t *pkt, size_t cap, uint32_t src, uint16_t sport, uint32_t dst,
		   uint16_t dport, const void *payload, size_t len);
/* Find the UDP payload of an IPv4 packet sent to dport; -1 if it is not one. */
int ipudp_parse(const uint8_t *pkt, size_t n, uint16_t dport, const uint8_t **payload,
		size_t *len, uint32_t *src);

/* A packet socket for IPv4 on ifindex; -1 with err set. */
int rawudp_open(int ifindex);
/* Broadcast payload from 0.0.0.0:sport to 255.255.255.255:dport. */
int rawudp_broadcast(int fd, int ifindex, uint16_t sport, uint16_t dport, const void *payload,
		     size_t len);
/*
 * Wait up to timeout_ms for a UDP datagram to dport; copies its payload
 * to buf. Returns the payload length; 0 when the time ran out or the
 * packet was not for dport (callers loop until their deadline); -1 with
 * err set.
 */
ssize_t rawudp_recv(int fd, uint16_t dport, uint8_t *buf, size_t cap, int timeout_ms, uint32_t *src);

#endif
