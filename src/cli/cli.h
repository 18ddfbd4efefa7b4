/* cli.h - shared pieces of the wotdns command-line front end. */
#ifndef WOT_CLI_H
#define WOT_CLI_H

#include "sync/sync.h"
#include "trust/trust.h"
#include "util/util.h"

#include <getopt.h>
#include <jansson.h>

enum { EXIT_OK = 0, EXIT_ERR = 1, EXIT_USAGE = 2 };

typedef struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} cli_command;

/* Options every command takes. */
#define CLI_COMMON_OPTS                                                        \
	{"home", required_argument, NULL, 'H'},                                \
	    {"lock-wait", required_argument, NULL, 'W'},                       \
	{                                                                      \
		"help", no_argument, NULL, 'h'                                 \
	}

/* In a getopt loop: handle --home/--help (help printed: exit 0). */
#define CLI_COMMON_CASE(c, help)                                               \
	{                                                                      \
		int handled_ = cli_common_opt(c, optarg, help);                \
		if (handled_ < 0)                                              \
			return handled_ == -1	? EXIT_OK                      \
			       : handled_ == -3 ? EXIT_USAGE                   \
						: EXIT_ERR;                    \
		if (handled_)                                                  \
			continue;                                              \
	}

/* Home directory chosen by --home / WOTDNS_HOME / XDG default. */
extern const char *cli_home;

/* An absolute form of a local path (caller frees); NULL on ENOMEM. Paths
 * that exist are resolved; others are joined to the working directory. */
char *cli_abspath(const char *path);

/* A source URL from the command line into *out (caller frees): URLs as
 * given, a local path made absolute; a path that does not exist is an
 * error (printed after "what: "; returns EXIT_ERR). */
int cli_source_url(const char *what, const char *arg, char **out);
/* Print "wotdns: msg" to stderr and return EXIT_ERR. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, with the library's last error appended. */
int cli_fail_last(const char *what);
/* Usage error: message plus a hint; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Handle a common option; returns 1 if handled, -1 after printing help,
 * -2 when out of memory, -3 for an empty --home or a bad --lock-wait
 * (message printed). */
int cli_common_opt(int c, const char *optarg_, const char *help);
/* Open the home and its keyring (both freed by the caller). */
int cli_open(wot_home **h, wot_trust **t);
/* wot_home_open of the command's home, with --lock-wait applied. */
int cli_home_open(wot_home **h);
/* --lock-wait in seconds (WOT_LOCK_WAIT_DEFAULT unless given). */
unsigned cli_lock_wait_s(void);
int cli_home_open_owned(wot_home **h, unsigned owner);
/* After a commit to own.git: tell the running daemon, if any, so it
 * NOTIFYs the followers (a warning when it does not answer). */
void cli_tell_daemon(const wot_home *h);
/* Progress printer for sync operations (quiet when not a terminal). */
void cli_progress(wot_sync_event ev, const char *source, size_t cur,
		  size_t total, int ok, const char *msg, void *data);

/* State of the 'wotdns sync' progress line (sources, objects, bytes). */
typedef struct {
	int show, tty, drawn;
	size_t done, total, objects;
	uint64_t bytes, last_ms;
	wot_map *seen; /* source -> its last counts (fetches run in parallel) */
} cli_sync_progress;
/* mode: 1 always show (--progress), 0 on a terminal, -1 never. */
void cli_sync_progress_init(cli_sync_progress *p, int mode);
void cli_sync_progress_dispose(cli_sync_progress *p);
/* wot_sync_progress callback; data is a cli_sync_progress. Failures are
 * printed whatever the mode. */
void cli_sync_progress_cb(wot_sync_event ev, const char *source, size_t cur,
			  size_t total, int ok, const char *msg, void *data);

/*
 * The accepted set explained (accepted.c, see wot_accepted_explain_name):
 * a document with "claims", "names", "rejected", "sources", "records",
 * "names_accepted", "expired" and "generated". NULL if there is none yet
 * or a file is bad (a message is printed, unless quiet and there is simply
 * none). Caller decrefs.
 */
/* From the shard holding name only: what resolve needs. */
json_t *cli_load_accepted_for(const char *name, int quiet);
/* From the shards holding a rejected claim only (status, conflicts). */
json_t *cli_load_rejected(int quiet);
/* Names of the sources whose records have expired ([sync] max-age), as
 * "a, b"; NULL if none. Caller frees. */
char *cli_expired_sources(void);
/* The string member k of o, "" if absent (borrowed from o). */
const char *cli_jstr(json_t *o, const char *k);

int cmd_init(int argc, char **argv);
int cmd_publish(int argc, char **argv);
int cmd_follow(int argc, char **argv);
int cmd_sign_friend(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_resolve(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_trust(int argc, char **argv);
int cmd_conflicts(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_evidence(int argc, char **argv);
int cmd_opinions(int argc, char **argv);
int cmd_source(int argc, char **argv);
int cmd_sources(int argc, char **argv);
int cmd_unfollow(int argc, char **argv);
int cmd_desktop(int argc, char **argv);
/* wotdns desktop refresh (cmd_desktop_refresh.c) */
int cmd_desktop_refresh(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

#endif
