/*
 * Leveled logging to stderr. CLI tools print "imgtool: error: ..."; the
 * daemon adds sd-daemon level prefixes ("<3>") when stderr is the journal.
 */
#ifndef BRAMBLE_LOG_H
#define BRAMBLE_LOG_H

enum log_level { L_ERR, L_WARN, L_INFO, L_DEBUG };

void log_init(const char *prog, enum log_level max);
void log_set_level(enum log_level max);
enum log_level log_get_level(void);
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)   log_msg(L_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(L_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(L_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(L_DEBUG, __VA_ARGS__)

#endif
