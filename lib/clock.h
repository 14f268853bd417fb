/* Milliseconds on the monotonic clock, for deadlines and durations (wall
 * time may jump). Wall-clock times for records are bootsrv's now_ms(). */
#ifndef BRAMBLE_CLOCK_H
#define BRAMBLE_CLOCK_H

long long mono_ms(void);

#endif
