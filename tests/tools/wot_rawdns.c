/* wot_rawdns.c - test tool: send raw bytes to a DNS server, show replies.
 *
 * usage: wot_rawdns [--tcp] [--raw] [--count N] [--timeout MS]
 *                   [--file F] ADDR PORT [HEX...]
 *
 * The message is the HEX arguments joined (whitespace and ':' ignored), or
 * the raw bytes of file F ("-": stdin). Over UDP it is sent as one
 * datagram; over TCP (--tcp) with the 2-byte length prefix added, unless
 * --raw (then the bytes go out exactly as given, so several framed
 * messages can be pipelined). Waits up to MS milliseconds (default 2000)
 * in all for N replies (default 1) and prints each as a hex line and a
 * summary line:
 *   id=ID rcode=NAME flags=qr,aa,.. qd=N an=N ns=N ar=N len=N
 * (the rcode includes the EDNS extended bits when an OPT is present), then
 * "closed" if the server closed the TCP connection and "no reply" if
 * fewer than N came. Exit 0 when all N came, 3 otherwise, 1
 * on errors, 2 on usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MSG_MAX = 65535, IN_MAX = 1 << 20 };

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Append the hex digits of s to out; -1 on a stray character. */
static int parse_hex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	int hi = -1;

	for (; *s; s++) {
		int v = hexval((unsigned char)*s);
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == ':')
			continue;
		if (v < 0 || (hi < 0 && *len >= cap))
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		out[(*len)++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? 0 : -1;
}

static int read_file(const char *path, uint8_t *out, size_t cap, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");

	if (!f)
		return -1;
	*len = fread(out, 1, cap, f);
	if (f != stdin)
		fclose(f);
	return 0;
}

static const char *rcode_name(unsigned r, char *buf, size_t len)
{
	static const char *const names[] = {
	    "NOERROR",	"FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	    "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE"};

	if (r < sizeof(names) / sizeof(names[0]))
		return names[r];
	if (r == 16)
		return "BADVERS";
	snprintf(buf, len, "RCODE%u", r);
	return buf;
}

/* Offset after the (possibly compressed) name at off, 0 if malformed. */
static size_t skip_name(const uint8_t *p, size_t len, size_t off)
{
	while (off < len) {
		uint8_t c = p[off];
		if ((c & 0xC0) == 0xC0)
			return off + 2 <= len ? off + 2 : 0;
		if (c > 63)
			return 0;
		off += (size_t)c + 1;
		if (c == 0)
			return off <= len ? off : 0;
	}
	return 0;
}

/* The OPT TTL's extended rcode bits, or 0 if there is no OPT. */
static unsigned ext_rcode(const uint8_t *p, size_t len)
{
	size_t off = 12;
	unsigned qd = rd16(p + 4);
	unsigned rrs = (unsigned)rd16(p + 6) + rd16(p + 8) + rd16(p + 10);

	for (unsigned i = 0; i < qd; i++) {
		off = skip_name(p, len, off);
		if (!off || off + 4 > len)
			return 0;
		off += 4;
	}
	for (unsigned i = 0; i < rrs; i++) {
		off = skip_name(p, len, off);
		if (!off || off + 10 > len)
			return 0;
		if (rd16(p + off) == 41)
			return p[off + 4];
		off += 10 + rd16(p + off + 8);
	}
	return 0;
}

static void show(const uint8_t *p, size_t len)
{
	static const struct {
		uint16_t bit;
		const char *name;
	} fl[] = {{0x8000, "qr"}, {0x0400, "aa"}, {0x0200, "tc"},
		  {0x0100, "rd"}, {0x0080, "ra"}, {0x0020, "ad"},
		  {0x0010, "cd"}};
	char flags[64] = "", rb[16];
	uint16_t f;

	for (size_t i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
	if (len < 12) {
		printf("short reply len=%zu\n", len);
		return;
	}
	f = rd16(p + 2);
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
		if (!(f & fl[i].bit))
			continue;
		if (flags[0])
			strcat(flags, ",");
		strcat(flags, fl[i].name);
	}
	printf("id=%u rcode=%s flags=%s qd=%u an=%u ns=%u ar=%u len=%zu\n",
	       rd16(p),
	       rcode_name((ext_rcode(p, len) << 4) | (f & 0xf), rb, sizeof(rb)),
	       flags[0] ? flags : "-", rd16(p + 4), rd16(p + 6), rd16(p + 8),
	       rd16(p + 10), len);
}

static int wait_readable(int fd, uint64_t deadline)
{
	struct pollfd pf = {fd, POLLIN, 0};
	uint64_t now = now_ms();

	if (now >= deadline)
		return 0;
	return poll(&pf, 1, (int)(deadline - now)) > 0;
}

static int run_udp(int fd, const uint8_t *msg, size_t len, int count,
		   uint64_t deadline)
{
	static uint8_t buf[MSG_MAX];
	int got = 0;

	if (send(fd, msg, len, 0) < 0) {
		perror("wot_rawdns: send");
		return -1;
	}
	while (got < count && wait_readable(fd, deadline)) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			break; /* ICMP port unreachable, say */
		show(buf, (size_t)n);
		got++;
	}
	return got;
}

static int run_tcp(int fd, const uint8_t *msg, size_t len, int raw, int count,
		   uint64_t deadline)
{
	static uint8_t in[IN_MAX];
	size_t have = 0, off = 0;
	uint8_t hdr[2] = {(uint8_t)(len >> 8), (uint8_t)len};
	int got = 0;

	if ((!raw && send(fd, hdr, 2, MSG_NOSIGNAL | MSG_MORE) != 2) ||
	    send(fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len) {
		perror("wot_rawdns: send");
		return -1;
	}
	while (got < count) {
		while (have - off >= 2 && have - off >= 2u + rd16(in + off) &&
		       got < count) {
			show(in + off + 2, rd16(in + off));
			off += 2u + rd16(in + off);
			got++;
		}
		if (got == count || have == sizeof(in) ||
		    !wait_readable(fd, deadline))
			break;
		ssize_t n = recv(fd, in + have, sizeof(in) - have, 0);
		if (n == 0)
			printf("closed\n");
		if (n <= 0)
			break; /* closed by the server */
		have += (size_t)n;
	}
	return got;
}

static int open_socket(const char *host, const char *port, int tcp,
		       uint64_t deadline)
{
	struct addrinfo hints, *ai = NULL;
	int fd, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
	if (getaddrinfo(host, port, &hints, &ai) != 0) {
		fprintf(stderr, "wot_rawdns: bad address %s %s\n", host, port);
		return -1;
	}
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		freeaddrinfo(ai);
		return -1;
	}
	rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (rc < 0 && errno == EINPROGRESS) {
		struct pollfd pf = {fd, POLLOUT, 0};
		int err = 0;
		socklen_t el = sizeof(err);
		uint64_t now = now_ms();
		rc = -1;
		if (now < deadline &&
		    poll(&pf, 1, (int)(deadline - now)) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 &&
		    err == 0)
			rc = 0;
		else
			errno = err ? err : ETIMEDOUT;
	}
	if (rc < 0) {
		perror("wot_rawdns: connect");
		close(fd);
		return -1;
	}
	/* Blocking sends; reads are bounded by poll. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

static int usage(void)
{
	fprintf(stderr, "usage: wot_rawdns [--tcp] [--raw] [--count N] "
			"[--timeout MS] [--file F] ADDR PORT [HEX...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"tcp", no_argument, NULL, 't'},
	    {"raw", no_argument, NULL, 'r'},
	    {"count", required_argument, NULL, 'c'},
	    {"timeout", required_argument, NULL, 'w'},
	    {"file", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static uint8_t msg[IN_MAX];
	const char *file = NULL;
	size_t len = 0;
	int c, tcp = 0, raw = 0, count = 1, timeout = 2000, fd, got;
	uint64_t deadline;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			tcp = 1;
			break;
		case 'r':
			raw = 1;
			break;
		case 'c':
			count = atoi(optarg);
			break;
		case 'w':
			timeout = atoi(optarg);
			break;
		case 'f':
			file = optarg;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind < 2 || count < 1 || timeout < 0)
		return usage();
	if (file && read_file(file, msg, sizeof(msg), &len) < 0) {
		perror(file);
		return 1;
	}
	for (int i = optind + 2; i < argc; i++) {
		if (parse_hex(argv[i], msg, sizeof(msg), &len) < 0) {
			fprintf(stderr, "wot_rawdns: bad hex '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!len || (tcp && !raw && len > MSG_MAX) || (!tcp && len > MSG_MAX))
		return usage();
	deadline = now_ms() + (uint64_t)timeout;
	fd = open_socket(argv[optind], argv[optind + 1], tcp, deadline);
	if (fd < 0)
		return 1;
	got = tcp ? run_tcp(fd, msg, len, raw, count, deadline)
		  : run_udp(fd, msg, len, count, deadline);
	close(fd);
	if (got < 0)
		return 1;
	if (got < count)
		printf("no reply\n");
	return got == count ? 0 : 3;
}
