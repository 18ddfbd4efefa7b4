/* error.c - WOT_E* codes and the thread-local last error. */
#include "util/util.h"

#include <stdio.h>
#include <string.h>

static _Thread_local char last_msg[1024];
static _Thread_local int last_code;

const char *wot_strerror(int code)
{
	switch (code) {
#define WOT_ERR_DESC(name, val, desc)                                          \
	case val:                                                              \
		return desc;
		WOT_ERRNO_MAP(WOT_ERR_DESC)
#undef WOT_ERR_DESC
	case 0:
		return "success";
	}
	return "unknown error";
}

const char *wot_errname(int code)
{
	switch (code) {
#define WOT_ERR_NAME(name, val, desc)                                          \
	case val:                                                              \
		return #name;
		WOT_ERRNO_MAP(WOT_ERR_NAME)
#undef WOT_ERR_NAME
	}
	return "EUNKNOWN";
}

int wot_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	va_end(ap);
	last_code = code;
	return code;
}

int wot_error_wrap(int code, const char *fmt, ...)
{
	char prefix[512], old[sizeof(last_msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, last_msg, sizeof(old));
	/* Truncation is fine here: the message is for humans. */
	last_msg[0] = '\0';
	strncat(last_msg, prefix, sizeof(last_msg) - 1);
	strncat(last_msg, ": ", sizeof(last_msg) - strlen(last_msg) - 1);
	strncat(last_msg, old[0] ? old : wot_strerror(code),
		sizeof(last_msg) - strlen(last_msg) - 1);
	last_code = code;
	return code;
}

const char *wot_error_last(void)
{
	if (!last_msg[0])
		return last_code ? wot_strerror(last_code) : "no error";
	return last_msg;
}

int wot_error_last_code(void)
{
	return last_code;
}

void wot_error_clear(void)
{
	last_msg[0] = '\0';
	last_code = 0;
}
