/*
 * cli_import.c: `smtp-harness import-crash [-o OUT] [--id ID] FILE|DIR...`:
 * fuzz_server_session inputs (a crash, a hang, a corpus) as scenarios
 * (record_import.h). Owns the argument list, the reading of the inputs and
 * the output files: every scenario in one YAML file (several documents), or
 * with -o naming a directory, one file per input.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "smtph/record_import.h"
#include "smtph/scenario_load.h"

#define IMPORT_MAX_INPUTS 4096 /* a file of scenarios holds as many documents */

struct import_cli {
	const char *out; /* NULL or "-": standard output */
	bool out_dir;    /* -o names a directory: one file per input */
	const char *id;
	bool quiet;
	char **inputs; /* owned, sorted within each directory */
	size_t ninputs;
};

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: smtp-harness import-crash [-o OUT] [--id ID] [-q] FILE|DIR...\n"
	        "  Turns fuzz_server_session inputs (crash files, hangs, "
	        "corpus/fuzz_server_session)\n"
	        "  into scenarios: the input is replayed through the bundled server's session\n"
	        "  (in a child process), and each step reads the replies the rules allow.\n"
	        "  FILE|DIR     inputs; a directory gives each regular file in it, by name\n"
	        "  -o, --output the scenario file (several inputs: one document each), or an\n"
	        "               existing directory: one NAME.yaml per input (default: stdout)\n"
	        "  --id         the scenario's id (default fuzz/session-<12 hex of the SHA-1>);\n"
	        "               with several inputs, ID/<12 hex> for each\n"
	        "  -q, --quiet  no line per input on stderr\n"
	        "  Replay: smtp-harness run FILE (an input that configured the server, octet 0\n"
	        "  over 7, needs: smtp-harness run --fuzz-config 0xNN FILE; the file says so).\n"
	        "exit: 0 every input written; 1 an input could not be read or replayed (the\n"
	        "      others are written); 2 usage, or the output cannot be written\n");
}

static int
add_input(struct import_cli *ic, const char *path)
{
	if (ic->ninputs == IMPORT_MAX_INPUTS) {
		fprintf(stderr, "import-crash: more than %d inputs\n", IMPORT_MAX_INPUTS);
		return -1;
	}
	ic->inputs[ic->ninputs] = strdup(path);
	if (ic->inputs[ic->ninputs] == NULL)
		return -1;
	ic->ninputs++;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Each regular file of dir (not those starting with '.'), sorted by name. */
static int
add_dir(struct import_cli *ic, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t first = ic->ninputs;
	int rc = 0;

	if (d == NULL) {
		fprintf(stderr, "import-crash: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char path[4096];
		struct stat sb;

		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			rc = add_input(ic, path);
	}
	closedir(d);
	qsort(ic->inputs + first, ic->ninputs - first, sizeof(char *), by_name);
	return rc;
}

/* The id's characters and room for "/<12 hex>" (scenarios/README.md: id). */
static bool
id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > SCENARIO_LOAD_MAX_ID - 13)
		return false;
	return strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789._/-") == n;
}

static int
parse_args(struct import_cli *ic, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "id", required_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct stat sb;
	int ch;

	while ((ch = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			ic->out = optarg;
			break;
		case 'i':
			if (!id_ok(optarg)) {
				fprintf(stderr,
				        "import-crash: --id takes [a-z0-9._/-], at most %d "
				        "octets\n",
				        SCENARIO_LOAD_MAX_ID - 13);
				return -1;
			}
			ic->id = optarg;
			break;
		case 'q':
			ic->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return -1;
	}
	ic->out_dir = ic->out != NULL && stat(ic->out, &sb) == 0 && S_ISDIR(sb.st_mode);
	for (int i = optind; i < argc; i++) {
		bool dir = stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode);

		if ((dir ? add_dir(ic, argv[i]) : add_input(ic, argv[i])) < 0)
			return -1;
	}
	if (ic->ninputs == 0) {
		fprintf(stderr, "import-crash: no input files\n");
		return -1;
	}
	return 0;
}

/* The whole input; one octet over the fuzz target's maximum tells one too large. */
static char *
read_input(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p;

	if (f == NULL) {
		fprintf(stderr, "import-crash: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	p = malloc(SERVER_FUZZIN_MAX_INPUT + 1);
	if (p == NULL) {
		fclose(f);
		fprintf(stderr, "import-crash: out of memory\n");
		return NULL;
	}
	*n = fread(p, 1, SERVER_FUZZIN_MAX_INPUT + 1, f);
	if (ferror(f)) {
		fprintf(stderr, "import-crash: %s: read error\n", path);
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static const char *const end_names[] = {
	[RECORD_IMPORT_END_OPEN] = "ends between commands",
	[RECORD_IMPORT_END_LINE] = "ends inside a line",
	[RECORD_IMPORT_END_DATA] = "ends inside DATA",
	[RECORD_IMPORT_END_BDAT] = "ends inside a BDAT chunk",
	[RECORD_IMPORT_END_AUTH] = "ends inside AUTH",
	[RECORD_IMPORT_END_QUIT] = "ends with QUIT",
	[RECORD_IMPORT_END_CLOSED] = "closed with 421",
	[RECORD_IMPORT_END_CRASH] = "FINDING: the server died",
	[RECORD_IMPORT_END_HANG] = "FINDING: the server hung",
};

/* One input as one YAML document at the end of out. Returns 0, or -1 (said on stderr). */
static int
import_one(const struct import_cli *ic, const char *path, struct buf *out)
{
	struct record_import im;
	struct record_import_opts o = { ic->id, base_name(path) };
	char err[256], id[SCENARIO_LOAD_MAX_ID + 1];
	size_t n = 0;
	char *data = read_input(path, &n);
	int rc = -1;

	if (data == NULL)
		return -1;
	if (record_import_replay(&im, data, n, err, sizeof(err)) < 0) {
		fprintf(stderr, "import-crash: %s: %s\n", path, err);
	} else {
		if (ic->id != NULL && ic->ninputs > 1) {
			snprintf(id, sizeof(id), "%s/%.12s", ic->id, im.sha1);
			o.id = id;
		}
		rc = record_import_write(&im, &o, out);
		if (rc < 0)
			fprintf(stderr, "import-crash: %s: out of memory\n", path);
		else if (!ic->quiet)
			fprintf(stderr, "import-crash: %s: %zu chunks, %s%s\n", path, im.nchunks,
			        end_names[im.end],
			        im.nfindings > 0 ? "; FINDING: replies the rules do not allow"
			                         : "");
	}
	record_import_free(&im);
	free(data);
	return rc;
}

static int
write_file(const char *path, const struct buf *b)
{
	FILE *f = path == NULL || strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	bool ok;

	if (f == NULL) {
		fprintf(stderr, "import-crash: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = (b->len == 0 || fwrite(b->data, 1, b->len, f) == b->len) && fflush(f) == 0;
	if (f != stdout && fclose(f) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "import-crash: %s: write failed\n", f != stdout ? path : "stdout");
	return ok ? 0 : -1;
}

/* -o DIR: DIR/NAME.yaml for each input. Returns the exit status. */
static int
import_to_dir(const struct import_cli *ic)
{
	int status = 0;

	for (size_t i = 0; i < ic->ninputs; i++) {
		struct buf b;
		char path[4096];

		buf_init(&b, 0);
		if (import_one(ic, ic->inputs[i], &b) < 0) {
			status = 1;
		} else if (snprintf(path, sizeof(path), "%s/%s.yaml", ic->out,
		                    base_name(ic->inputs[i])) >= (int)sizeof(path) ||
		           write_file(path, &b) < 0) {
			buf_free(&b);
			return 2;
		}
		buf_free(&b);
	}
	return status;
}

/* Every input as one document of one file (or standard output). */
static int
import_to_file(const struct import_cli *ic)
{
	struct buf b;
	int status = 0;
	size_t docs = 0;

	buf_init(&b, 0);
	for (size_t i = 0; i < ic->ninputs; i++) {
		size_t mark = b.len;

		if (docs > 0 && buf_puts(&b, "---\n") < 0) {
			buf_free(&b);
			return 2;
		}
		if (import_one(ic, ic->inputs[i], &b) < 0) {
			b.len = mark;
			status = 1;
			continue;
		}
		docs++;
	}
	if (b.len > SCENARIO_LOAD_MAX_FILE)
		fprintf(stderr,
		        "import-crash: %zu octets in one file, over the %u a scenario file may "
		        "hold: give -o a directory\n",
		        b.len, SCENARIO_LOAD_MAX_FILE);
	if (docs > 0 && write_file(ic->out, &b) < 0)
		status = 2;
	buf_free(&b);
	return status;
}

int
cli_fuzz_config(const char *arg, struct server_fuzzin *fz)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno != 0 || end == arg || *end != '\0' || v > 255 || arg[0] == '-') {
		fprintf(stderr, "--fuzz-config takes an octet, 0 to 255 (0x58, 88), not '%s'\n",
		        arg);
		return -1;
	}
	server_fuzzin_decode((unsigned char)v, fz);
	return 0;
}

int
cli_import(int argc, char **argv)
{
	struct import_cli ic = { 0 };
	int rc;

	ic.inputs = calloc(IMPORT_MAX_INPUTS, sizeof(*ic.inputs));
	if (ic.inputs == NULL)
		return 2;
	rc = parse_args(&ic, argc, argv);
	if (rc == 0)
		rc = ic.out_dir ? import_to_dir(&ic) : import_to_file(&ic);
	else
		rc = rc > 0 ? 0 : 2;
	for (size_t i = 0; i < ic.ninputs; i++)
		free(ic.inputs[i]);
	free(ic.inputs);
	return rc;
}
