/* cmd_serve.c - wotdns serve (placeholder until the daemon lands) */
#include "cli/cli.h"

int cmd_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail("serve: not built yet");
}
