/*
 * main.c -- glued: read the command line, then serve (daemon.h) or check
 * (checkcmd.h).
 */
#include <signal.h>
#include <stdio.h>

#include <nettle/version.h>
#include <openssl/crypto.h>
#include <uv.h>
#include <yaml.h>

#include "checkcmd.h"
#include "config.h"
#include "daemon.h"

/* -V: the version, and the libraries glued runs with (their run-time
 * versions: the shared objects actually loaded). */
static void print_version(void)
{
	printf("glued %s (libuv %s, libyaml %s, OpenSSL %s, nettle %d.%d)\n", GLUED_VERSION,
	       uv_version_string(), yaml_get_version_string(),
	       OpenSSL_version(OPENSSL_VERSION_STRING), nettle_version_major(),
	       nettle_version_minor());
}

int main(int argc, char **argv)
{
	config_t cfg;
	char err[CONFIG_ERR_MAX];
	int rc;

	/* The query log is read live (tail -f, tests): whole lines, promptly. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A client that resets a TCP connection must not kill the server. */
	signal(SIGPIPE, SIG_IGN);

	if (config_parse(argc, argv, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "glued: %s\nTry 'glued --help' for more information.\n", err);
		return 2;
	}
	if (cfg.help) {
		fputs(config_usage(), stdout);
		config_free(&cfg);
		return 0;
	}
	if (cfg.version) {
		print_version();
		config_free(&cfg);
		return 0;
	}
	if (cfg.lab && config_use_lab(&cfg) < 0) {
		config_free(&cfg);
		return 1;
	}
	rc = cfg.check ? checkcmd_run(&cfg) : daemon_run(&cfg);
	config_free(&cfg);
	return rc;
}
