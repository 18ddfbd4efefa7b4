/* log.c - leveled logging to an application-chosen sink. */
#include "util/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static wot_log_sink log_sink;
static void *log_data;
static int log_max = WOT_LOG_NOTICE;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t journal_once = PTHREAD_ONCE_INIT;
static int journal; /* stderr is systemd's journal stream */

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

/*
 * systemd connects stderr to the journal and says so in JOURNAL_STREAM
 * ("DEV:INODE" of that stream, see systemd.exec(5)). Only when stderr is
 * still that very stream (not redirected by a child of the service):
 * the journal then reads the priority from a "<N>" prefix (sd-daemon(3))
 * and adds the time and the program name itself.
 */
static void journal_detect(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	journal = env && sscanf(env, "%llu:%llu%c", &dev, &ino, &end) == 2 &&
		  fstat(STDERR_FILENO, &st) == 0 &&
		  (unsigned long long)st.st_dev == dev &&
		  (unsigned long long)st.st_ino == ino;
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
	pthread_once(&journal_once, journal_detect);
	pthread_mutex_lock(&log_lock);
	if (log_sink) {
		log_sink(level, area, msg, log_data);
	} else if (journal) {
		/* The level is the priority, no longer part of the text. */
		fprintf(stderr, "<%d>[%s] %s\n", level, area, msg);
		fflush(stderr);
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
