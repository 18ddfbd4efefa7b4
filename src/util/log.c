/* log.c - leveled logging to an application-chosen sink. */
#include "util/util.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>

static wot_log_sink log_sink;
static void *log_data;
static int log_max = WOT_LOG_NOTICE;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void wot_log_set(wot_log_sink sink, void *data, int max_level)
{
	pthread_mutex_lock(&log_lock);
	log_sink = sink;
	log_data = data;
	log_max = max_level;
	pthread_mutex_unlock(&log_lock);
}

static const char *level_name(int level)
{
	switch (level) {
	case WOT_LOG_ERR:
		return "error";
	case WOT_LOG_WARNING:
		return "warning";
	case WOT_LOG_NOTICE:
		return "notice";
	case WOT_LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void wot_log(int level, const char *area, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&log_lock);
	if (log_sink) {
		log_sink(level, area, msg, log_data);
	} else {
		fprintf(stderr, "wotdns[%s] %s: %s\n", area, level_name(level),
			msg);
		fflush(stderr);
	}
	pthread_mutex_unlock(&log_lock);
}

uint64_t wot_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
