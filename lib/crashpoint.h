/*
 * Fault injection for tests, at named points:
 *  - crashpoint("published") kills the process with SIGKILL right there
 *    when $BRAMBLE_CRASHPOINT names that point, so a test can prove that a
 *    crash between any two steps of a state change leaves the old state or
 *    the new one;
 *  - when $BRAMBLE_PAUSEPOINT names it, it creates the file
 *    $BRAMBLE_PAUSEFILE and blocks until that file is removed, so a test
 *    can hold a command mid-way (its locks held) for as long as it likes.
 * A no-op otherwise.
 */
#ifndef BRAMBLE_CRASHPOINT_H
#define BRAMBLE_CRASHPOINT_H

void crashpoint(const char *name);

#endif
