/*
 * cli_suite.c: where the suite is when no PATH is given. In order: a
 * scenarios/ folder in the current directory (a source tree, a project that
 * vendors its own), then the installed suite next to the binary
 * (BINDIR/../share/smtp-harness/scenarios, so an install under any PREFIX or
 * DESTDIR finds its own), then the compiled-in default under PREFIX. Owns
 * one static path buffer, filled once.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

#ifndef SMTPH_DATADIR
#define SMTPH_DATADIR "/usr/local/share/smtp-harness"
#endif

#define SUITE_LOCAL "scenarios"

static char beside_exe[PATH_MAX];

static bool
is_dir(const char *path)
{
	struct stat st;

	return path[0] != '\0' && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* BINDIR/../share/smtp-harness/scenarios from /proc/self/exe, or "". */
static const char *
installed_beside_exe(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (beside_exe[0] != '\0')
		return beside_exe;
	if (n <= 0)
		return "";
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return "";
	*slash = '\0'; /* BINDIR */
	if (snprintf(beside_exe, sizeof(beside_exe), "%s/../share/smtp-harness/scenarios", exe) >=
	    (int)sizeof(beside_exe))
		beside_exe[0] = '\0';
	return beside_exe;
}

const char *
cli_suite_dir(void)
{
	if (is_dir(SUITE_LOCAL))
		return SUITE_LOCAL;
	if (is_dir(installed_beside_exe()))
		return installed_beside_exe();
	if (is_dir(SMTPH_DATADIR "/scenarios"))
		return SMTPH_DATADIR "/scenarios";
	return SUITE_LOCAL; /* not found: the loader says so, naming it */
}

void
cli_suite_explain(FILE *f)
{
	fprintf(f, "suite (when no PATH is given), the first that exists:\n");
	fprintf(f, "  %s%s (in the current directory)\n", SUITE_LOCAL,
	        is_dir(SUITE_LOCAL) ? "   <- found" : "");
	fprintf(f, "  %s%s (installed beside the binary)\n", installed_beside_exe(),
	        !is_dir(SUITE_LOCAL) && is_dir(installed_beside_exe()) ? "   <- found" : "");
	fprintf(f, "  %s/scenarios (the build's PREFIX)\n", SMTPH_DATADIR);
}
