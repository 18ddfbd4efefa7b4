/*
 * util.h - errors, logging, files and small helpers shared by every module.
 *
 * Error convention: functions return 0 on success or a negative WOT_E* code,
 * and record a human-readable message in a thread-local last error
 * (wot_error_last(), never NULL).
 */
#ifndef WOT_UTIL_H
#define WOT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* X-macro: code, name, default description. */
#define WOT_ERRNO_MAP(X)                                                       \
	X(EINVAL, -1, "invalid argument or input")                             \
	X(ENOMEM, -2, "out of memory")                                         \
	X(EIO, -3, "input/output error")                                       \
	X(ENOENT, -4, "not found")                                             \
	X(EEXIST, -5, "already exists")                                        \
	X(EGPG, -6, "OpenPGP operation failed")                                \
	X(EGIT, -7, "git operation failed")                                    \
	X(EDNS, -8, "DNS error")                                               \
	X(EVERIFY, -9, "verification failed")                                  \
	X(EUNTRUSTED, -10, "key not valid")                                    \
	X(ECONFLICT, -11, "conflicting claim")                                 \
	X(ELIMIT, -12, "limit exceeded")                                       \
	X(ENET, -13, "network error")                                          \
	X(ESYNTAX, -14, "syntax error")

enum {
#define WOT_ERR_ENUM(name, val, desc) WOT_##name = (val),
	WOT_ERRNO_MAP(WOT_ERR_ENUM)
#undef WOT_ERR_ENUM
};

/* Static description of a WOT_E* code (borrowed). */
const char *wot_strerror(int code);
/* Symbolic name ("EINVAL") of a WOT_E* code (borrowed). */
const char *wot_errname(int code);

/*
 * Record the last error for this thread and return code, so callers can
 * write `return wot_error_set(WOT_EINVAL, "bad %s", x);`.
 */
int wot_error_set(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prefix the current last error with more context ("file: " + old);
 * returns code. */
int wot_error_wrap(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Last error message for this thread (borrowed, never NULL). */
const char *wot_error_last(void);
/* Code of the last error for this thread (0 if none). */
int wot_error_last_code(void);
/* Forget this thread's last error (after handling it). */
void wot_error_clear(void);

/* Logging: syslog levels, area tag ("trust", "sync", "dns", "cli"). */
enum {
	WOT_LOG_ERR = 3,
	WOT_LOG_WARNING = 4,
	WOT_LOG_NOTICE = 5,
	WOT_LOG_INFO = 6,
	WOT_LOG_DEBUG = 7
};
typedef void (*wot_log_sink)(int level, const char *area, const char *msg,
			     void *data);
/* Set the sink (NULL: stderr) and the most verbose level that is emitted. */
void wot_log_set(wot_log_sink sink, void *data, int max_level);
/* Emit one message (never a secret) at level in area. */
void wot_log(int level, const char *area, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Files. All paths are plain strings; allocations documented per call. */

/*
 * Read a whole regular file (never through a symlink) into *out (NUL
 * terminated, caller frees with free()); *len (may be NULL) its length.
 * WOT_ENOENT when path does not exist; WOT_EIO when it cannot be read or
 * is no regular file; WOT_ELIMIT above max bytes; WOT_ENOMEM.
 */
int wot_file_read(const char *path, size_t max, char **out, size_t *len);
/* Write atomically: temp file, fsync, rename, fsync directory. 0, WOT_EIO
 * (nothing replaced) or WOT_ENOMEM. */
int wot_file_write_atomic(const char *path, const void *data, size_t len);
/* The same without the fsyncs: readers still see the old or the new file,
 * but a power cut may lose the write. For files rewritten at every sync
 * whose loss costs nothing (per-source status). Same codes. */
int wot_file_write_nosync(const char *path, const void *data, size_t len);
/* mkdir -p with mode; an existing directory is fine, a symlink is not.
 * 0, WOT_EIO or WOT_ENOMEM. */
int wot_mkdir_p(const char *path, unsigned mode);
/* 1 if path exists (lstat), else 0. */
int wot_path_exists(const char *path);
/* Remove a directory tree (no symlink following); a missing path is
 * fine. 0, or WOT_EIO (what could be removed is). */
int wot_rmtree(const char *path);
/* Join with '/', caller frees. Returns NULL on ENOMEM. */
char *wot_path_join(const char *a, const char *b);

struct sockaddr_storage;
/* Parse "IPv4[:PORT]", "[IPv6][:PORT]" or a bare IPv6 literal (numeric
 * only: never a name lookup) into *out, the port default_port when the
 * text has none. WOT_EINVAL with the reason on bad text. */
int wot_addr_parse(const char *spec, unsigned default_port,
		   struct sockaddr_storage *out);

/* printf into a fresh string (caller frees), NULL on error. */
char *wot_strdup_printf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Growable byte buffer. */
typedef struct {
	char *ptr;
	size_t len, cap;
} wot_buf;
#define WOT_BUF_INIT                                                           \
	{                                                                      \
		.ptr = NULL, .len = 0, .cap = 0                                \
	}
/* Append len bytes of data / formatted text; b->ptr stays NUL-terminated.
 * 0 or WOT_ENOMEM (b unchanged). */
int wot_buf_put(wot_buf *b, const void *data, size_t len);
int wot_buf_printf(wot_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Free what b holds (b itself is the caller's) and empty it. */
void wot_buf_dispose(wot_buf *b);
/* Append s as a JSON string literal: quotes, backslashes and control
 * characters escaped, well-formed UTF-8 kept, any other byte as '?' (so
 * hostile text still gives valid JSON). 0 or WOT_ENOMEM. */
int wot_buf_json_str(wot_buf *b, const char *s);

/* 1 for a hex fingerprint of 40 (v4) or 64 (v5) digits, else 0. */
int wot_fpr_valid(const char *fpr);
/* Normalise a fingerprint in place to upper case, removing spaces. */
void wot_fpr_normalise(char *fpr);

/* NULL-terminated string vectors (*v may start NULL): append a copy of s
 * (0, or WOT_ENOMEM with nothing appended); count; free the strings and the
 * vector (v may be NULL). */
int wot_strv_push(char ***v, const char *s);
size_t wot_strv_len(char *const *v);
void wot_strv_free(char **v);

/* The number (from 1) of the first line of text longer than max bytes
 * without its newline, or 0 when none is. */
int wot_text_long_line(const char *text, size_t max);
/* The byte a presentation-form name spells at *p: "\DDD" (a value over
 * 255 is returned as is, for the caller to refuse), "\X" or X itself;
 * *p is left on the last character read. */
unsigned wot_name_char(const char **p);

/*
 * String-keyed hash map (keys copied, values borrowed). Iterate with
 * wot_map_next(m, &pos, &key, &val) starting at pos = 0; returns 0 at end.
 */
typedef struct wot_map wot_map;
/* An empty map; caller frees with wot_map_free. 0 or WOT_ENOMEM. */
int wot_map_new(wot_map **out);
/* Free the map; free_val (may be NULL) is called on every value. */
void wot_map_free(wot_map *m, void (*free_val)(void *));
/* The value of key (borrowed), NULL when absent. */
void *wot_map_get(const wot_map *m, const char *key);
/* Insert or replace; *old (may be NULL) receives a replaced value.
 * 0 or WOT_ENOMEM (m unchanged). */
int wot_map_put(wot_map *m, const char *key, void *val, void **old);
/* Number of entries. */
size_t wot_map_count(const wot_map *m);
/* The next entry after *pos (key and val borrowed): 1, or 0 at the end. */
int wot_map_next(const wot_map *m, size_t *pos, const char **key, void **val);

/* Monotonic milliseconds. */
uint64_t wot_now_ms(void);

/*
 * An injected clock: what timing code asks for "now", so tests can run it
 * on a fake time (clock.c). now_ms(ctx) returns monotonic milliseconds.
 */
typedef struct wot_clock {
	uint64_t (*now_ms)(void *ctx);
	void *ctx;
} wot_clock;
/* c->now_ms(c->ctx); the real monotonic clock when c or now_ms is NULL. */
uint64_t wot_clock_now(const wot_clock *c);

/*
 * The close of an object that owns libuv handles, in libuv's style:
 * obj_close(obj, cb, data) starts it once; the object counts its open
 * parts in live; when the last is released the object is freed, then
 * cb(data) runs (last, since it may free what held the object).
 */
typedef struct wot_closer {
	size_t live; /* open parts, counted by the object */
	int closing;
	void (*cb)(void *data);
	void *data;
} wot_closer;
/* Starts closing with cb(data) to run at the end. Returns 1; 0 (do
 * nothing) when c is NULL or already closing. */
int wot_closer_begin(wot_closer *c, void (*cb)(void *data), void *data);
/* Returns 1 when the object is closing and no part is left open: *saved
 * then holds the callback; free the object, then call
 * wot_closer_end(saved). 0 otherwise. */
int wot_closer_done(const wot_closer *c, wot_closer *saved);
/* Drops one open part (live--), then wot_closer_done. */
int wot_closer_release(wot_closer *c, wot_closer *saved);
/* Runs the callback saved (if any). */
void wot_closer_end(const wot_closer *saved);

/* Built-in maximum of records in one RRset, whatever [limits] rrset says:
 * no DNS message (65535 bytes, each record at least 12 with a compressed
 * owner) could carry more, and the resolver's table counts them in 16
 * bits. The table refuses more, so sync and publish do too. */
#define WOT_MAX_RRSET 5000

#endif
