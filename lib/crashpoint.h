/*
 * Fault injection for crash-safety tests: crashpoint("published") kills
 * the process with SIGKILL right there when $BRAMBLE_CRASHPOINT names that
 * point, so a test can prove that a crash between any two steps of a state
 * change leaves the old state or the new one. A no-op otherwise.
 */
#ifndef BRAMBLE_CRASHPOINT_H
#define BRAMBLE_CRASHPOINT_H

void crashpoint(const char *name);

#endif
