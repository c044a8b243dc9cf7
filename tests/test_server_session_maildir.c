/*
 * test_server_session_maildir.c: the reference server's session (server_session_*)
 * delivering to the real Maildir sink: a session of two messages read back
 * from the user's Maildir (R5321-DATA-08/09), CRLF stored as LF whatever the
 * write boundaries, one big write, and the Maildir check of a root.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tablecheck.h"

#include "smtph/server.h"

#include "server_session_fixture.h"
#include "server_session_run.h"

/* ---- Maildir delivery (R5321-DATA-08/09) ----------------------------------------------------- */

static const struct sess_row maildir_row = {
	"R5321-DATA-08/09 SYN-16 Maildir delivery",
	STEPS(S(EHLO), S("MAIL FROM:<MixedCase.S@client.test>\r\n"), S(RCPTAL), S(DATA),
	      S("Subject: maildir one\r\n\r\nhello\r\n.\r\n"), S("MAIL FROM:<>\r\n"),
	      S("RCPT TO:<bob@example.test>\r\n"), S(DATA),
	      S("Subject: maildir two\r\n\r\n..dot\r\n.\r\n")),
	WANT("220", "250", "250", "250", "354", "250", "250", "250", "354", "250"),
};

/* Reads the only file in dir into a NUL-terminated buffer; counts files in *nfiles. */
static char *
read_only_file(const char *dir, int *nfiles, size_t *lenp)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *text = NULL;

	*nfiles = 0;
	*lenp = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		(*nfiles)++;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		f = fopen(path, "rb");
		if (!f || text) {
			if (f)
				fclose(f);
			continue;
		}
		text = calloc(1, 1 << 16);
		assert_non_null(text);
		*lenp = fread(text, 1, (1 << 16) - 1, f);
		fclose(f);
	}
	closedir(d);
	return text;
}

/* Removes a directory tree (the test's own mkdtemp directory). */
static int
rm_tree(const char *path)
{
	struct stat sb;
	int rc = 0;

	if (lstat(path, &sb) != 0)
		return -1;
	if (S_ISDIR(sb.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;

		if (!d)
			return -1;
		while ((de = readdir(d)) != NULL) {
			char sub[4096];

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >=
			            sizeof(sub) ||
			    rm_tree(sub) != 0)
				rc = -1;
		}
		closedir(d);
	}
	if (remove(path) != 0)
		rc = -1;
	return rc;
}

static int
check_maildir(const char *label, const char *root, const char *user, const char *rpath,
              const char *subject, const char *body)
{
	char dir[4096];
	int nfiles, nfail = 0;
	size_t len;
	char *text;

	snprintf(dir, sizeof(dir), "%s/example.test/%s/new", root, user);
	text = read_only_file(dir, &nfiles, &len);
	if (nfiles != 1 || !text) {
		free(text);
		return tc_fail(label, "got %d files in %s, want 1", nfiles, dir);
	}
	const char *rcv = strstr(text, "\nReceived:");
	const char *subj = strstr(text, subject);

	if (strncmp(text, "Return-Path:", 12) != 0)
		nfail += tc_fail(label, "got first line \"%.40s\", want Return-Path: (DATA-09)",
		                 text);
	else if (strncmp(text + 12 + strspn(text + 12, " "), rpath, strlen(rpath)) != 0)
		nfail += tc_fail(label, "got \"%.60s\", want Return-Path: %s", text, rpath);
	if (!rcv)
		nfail += tc_fail(label, "got no Received: line, want one (DATA-08)");
	if (!subj)
		nfail += tc_fail(label, "got no \"%s\", want the message header", subject);
	else if (rcv && rcv > subj)
		nfail += tc_fail(label, "got Received: below the header, want it on top (DATA-08)");
	if (!strstr(text, body))
		nfail += tc_fail(label, "got no \"%s\" in the body, want it", body);
	if (memchr(text, '\r', len) != NULL)
		nfail += tc_fail(label, "got a CR in the stored file, want LF line ends");
	free(text);
	return nfail;
}

static void
test_session_maildir(void **state)
{
	char root[] = "/tmp/test_server_session.XXXXXX";
	struct server_maildir *md;
	int nfail = 0;

	(void)state;
	assert_non_null(mkdtemp(root));
	md = server_maildir_new(root, "mx.example.test");
	assert_non_null(md);
	nfail += run_row(&maildir_row, NULL, &server_maildir_ops, md);
	nfail += check_maildir(maildir_row.label, root, "alice", "<MixedCase.S@client.test>",
	                       "Subject: maildir one", "\nhello\n");
	nfail += check_maildir(maildir_row.label, root, "bob", "<>", "Subject: maildir two",
	                       "\n.dot\n");
	server_maildir_free(&md);
	assert_null(md);
	assert_int_equal(rm_tree(root), 0);
	assert_int_equal(nfail, 0);
}

/* ---- Maildir line ends: CRLF stored as LF, whatever the write boundaries ----------------------
 */

struct md_row {
	const char *label;
	const char *const *writes; /* NULL-terminated */
	const char *want;          /* the stored content under the trace lines */
};

#define WRITES(...)                                                                                \
	(const char *const[])                                                                      \
	{                                                                                          \
		__VA_ARGS__, NULL                                                                  \
	}

static const struct md_row md_rows[] = {
	{ "CRLF in one write", WRITES("a\r\nb\r\n"), "a\nb\n" },
	{ "CR ends a write, LF starts the next", WRITES("a\r", "\nb\r\n"), "a\nb\n" },
	{ "every octet its own write", WRITES("x", "\r", "\n", "\r", "\n", "y"), "x\n\ny" },
	{ "a CR not before LF is kept", WRITES("a\r", "b\r\n"), "a\rb\n" },
	{ "a CR at the very end is kept", WRITES("a\r"), "a\r" },
	{ "empty writes between", WRITES("a\r", "", "\n"), "a\n" },
	{ "dot lines stay as given", WRITES(".\r\n..x\r\n"), ".\n..x\n" },
};

/* Stores one message through the Maildir sink's own calls; returns the content written. */
static char *
md_store(const char *root, const struct md_row *r, int *nfail)
{
	const char *rcpts[] = { "alice@example.test" };
	struct server_envelope env = { .sender = "s@client.test",
		                       .rcpts = rcpts,
		                       .nrcpts = 1,
		                       .helo = "client.test",
		                       .peer = "127.0.0.1",
		                       .protocol = "ESMTP" };
	struct server_maildir *md = server_maildir_new(root, "mx.example.test");
	char dir[4096], *text, *body;
	int nfiles;
	size_t len;

	assert_non_null(md);
	assert_int_equal(server_maildir_ops.begin(md, &env), 0);
	for (size_t i = 0; r->writes[i] != NULL; i++)
		assert_int_equal(server_maildir_ops.write(md, r->writes[i], strlen(r->writes[i])),
		                 0);
	assert_int_equal(server_maildir_ops.commit(md), 0);
	server_maildir_free(&md);
	snprintf(dir, sizeof(dir), "%s/example.test/alice/new", root);
	text = read_only_file(dir, &nfiles, &len);
	if (nfiles != 1 || text == NULL) {
		*nfail += tc_fail(r->label, "got %d files in %s, want 1", nfiles, dir);
		free(text);
		return NULL;
	}
	body = strstr(text, " +0000\n"); /* the end of the Received line's date */
	if (body == NULL) {
		*nfail += tc_fail(r->label, "got no trace lines ending in LF: \"%.80s\"", text);
		free(text);
		return NULL;
	}
	memmove(text, body + 7, strlen(body + 7) + 1);
	return text;
}

static void
test_maildir_line_ends(void **state)
{
	int nfail = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(md_rows) / sizeof(md_rows[0]); i++) {
		char root[] = "/tmp/test_server_maildir.XXXXXX";
		char *got;

		assert_non_null(mkdtemp(root));
		got = md_store(root, &md_rows[i], &nfail);
		if (got != NULL && strcmp(got, md_rows[i].want) != 0)
			nfail += tc_fail(md_rows[i].label, "got \"%s\", want \"%s\"", got,
			                 md_rows[i].want);
		free(got);
		assert_int_equal(rm_tree(root), 0);
	}
	assert_int_equal(nfail, 0);
}

/* A block of 3,000 lines (over the sink's 8 KiB write block) keeps every line. */
static void
test_maildir_big_write(void **state)
{
	static const char line[] = "0123456789abcdef\r\n";
	const size_t nlines = 3000, ll = sizeof(line) - 1;
	char *in = malloc(nlines * ll + 1), *want = malloc(nlines * (ll - 1) + 1);
	char root[] = "/tmp/test_server_maildir.XXXXXX";
	struct md_row r = { "3,000 lines in one write", NULL, NULL };
	const char *writes[2];
	int nfail = 0;
	char *got;

	(void)state;
	assert_non_null(in);
	assert_non_null(want);
	for (size_t i = 0; i < nlines; i++) {
		memcpy(in + i * ll, line, ll);
		memcpy(want + i * (ll - 1), line, ll - 2);
		want[i * (ll - 1) + ll - 2] = '\n';
	}
	in[nlines * ll] = '\0';
	want[nlines * (ll - 1)] = '\0';
	writes[0] = in;
	writes[1] = NULL;
	r.writes = writes;
	r.want = want;
	assert_non_null(mkdtemp(root));
	got = md_store(root, &r, &nfail);
	assert_non_null(got);
	assert_int_equal(strlen(got), strlen(want));
	assert_int_equal(strcmp(got, want), 0);
	free(got);
	free(in);
	free(want);
	assert_int_equal(rm_tree(root), 0);
	assert_int_equal(nfail, 0);
}

/* serve checks its spool before listening: one it cannot write is refused with the reason. */
static void
test_maildir_check(void **state)
{
	char root[] = "/tmp/test_server_maildir.XXXXXX", file[4096], sub[4096], err[512];

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_int_equal(server_maildir_check(root, err, sizeof(err)), 0);
	snprintf(file, sizeof(file), "%s/a-file", root);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(server_maildir_check(file, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create"));
	assert_non_null(strstr(err, "Not a directory"));
	snprintf(sub, sizeof(sub), "%s/new/deeper", root);
	assert_int_equal(server_maildir_check(sub, err, sizeof(err)), 0);
	assert_int_equal(rm_tree(root), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_maildir),
		cmocka_unit_test(test_maildir_line_ends),
		cmocka_unit_test(test_maildir_big_write),
		cmocka_unit_test(test_maildir_check),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
