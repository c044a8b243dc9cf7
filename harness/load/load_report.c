/*
 * load_report.c: what `smtp-harness load` prints (load.h): the progress line
 * (rewritten in place on a terminal, a line every few seconds otherwise), the
 * summary (counts, rate, latency percentiles per phase in milliseconds, the
 * first failures with the reply bytes escaped, the result), and the JSON
 * document (Jansson; schema in README.md, "Load"). It reads results only.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "smtph/load.h"

#define JSON_SCHEMA 1
#define JSON_FLAGS  (JSON_INDENT(2) | JSON_REAL_PRECISION(9))

static const double pcts[] = { 50, 90, 99, 99.9 };
static const char *const pct_keys[] = { "p50", "p90", "p99", "p999" };
#define NPCTS (sizeof(pcts) / sizeof(pcts[0]))

static double
rate(const struct load_result *r)
{
	return r->elapsed_ms > 0 ? (double)r->accepted * 1000.0 / r->elapsed_ms : 0.0;
}

static const char *
result_word(const struct load_result *r)
{
	if (r->unreachable)
		return "unreachable";
	if (r->signal != 0)
		return "interrupted";
	return load_result_failures(r) > 0 ? "fail" : "ok";
}

void
load_report_progress(FILE *f, const struct load_result *r, size_t open, double elapsed_ms, bool tty)
{
	char line[160];
	double rt = elapsed_ms > 0 ? (double)r->accepted * 1000.0 / elapsed_ms : 0.0;

	snprintf(line, sizeof(line),
	         "load: %.1f s, %llu begun, %llu accepted, %llu failures, %.1f msg/s, %zu open",
	         elapsed_ms / 1000.0, (unsigned long long)r->started,
	         (unsigned long long)r->accepted, (unsigned long long)load_result_failures(r), rt,
	         open);
	if (tty)
		fprintf(f, "\r%-79s", line);
	else
		fprintf(f, "%s\n", line);
	fflush(f);
}

/* ---- text
 * ---------------------------------------------------------------------------------------- */

static void
text_latency(FILE *f, const struct load_result *r)
{
	fprintf(f, "  latency ms %10s %9s %9s %9s %9s %9s %9s\n", "count", "min", "p50", "p90",
	        "p99", "p99.9", "max");
	for (int p = 0; p < LOAD_PH_COUNT; p++) {
		const struct load_hist *h = &r->lat[p];

		fprintf(f, "    %-9s %8llu %9.3f", load_phase_name((enum load_phase)p),
		        (unsigned long long)h->count, (double)load_hist_percentile(h, 0) / 1000.0);
		for (size_t k = 0; k < NPCTS; k++)
			fprintf(f, " %9.3f", (double)load_hist_percentile(h, pcts[k]) / 1000.0);
		fprintf(f, " %9.3f\n", (double)load_hist_percentile(h, 100) / 1000.0);
	}
}

static void
text_maildir(FILE *f, const struct load_opts *o, const struct load_result *r)
{
	const struct load_maildir_count *md = &r->md;

	if (!r->counted)
		return;
	fprintf(f,
	        "  maildir    %llu of %llu accepted found, %llu lost (%llu files of this run, "
	        "%llu never accepted; %llu files read in %s)\n",
	        (unsigned long long)md->found, (unsigned long long)r->accepted,
	        (unsigned long long)md->lost, (unsigned long long)md->copies,
	        (unsigned long long)md->unexpected, (unsigned long long)md->files, o->maildir);
}

static void
text_failures(FILE *f, const struct load_result *r)
{
	uint64_t total = load_result_failures(r);
	const char *sep = "";

	if (total == 0)
		return;
	fprintf(f, "  failures   %llu:", (unsigned long long)total);
	for (int k = 0; k < LOAD_FAIL_COUNT; k++) {
		if (r->fails[k] == 0)
			continue;
		fprintf(f, "%s %llu %s", sep, (unsigned long long)r->fails[k],
		        load_fail_name((enum load_fail)k));
		sep = ",";
	}
	fputc('\n', f);
	for (size_t i = 0; i < r->nfailure; i++) {
		const struct load_failure *x = &r->failure[i];

		fprintf(f, "    %s", load_fail_name(x->kind));
		if (x->session != 0)
			fprintf(f, ", session %u", x->session);
		fprintf(f, ": %s\n", x->what);
		if (x->bytes[0] != '\0')
			fprintf(f, "      received \"%s\"\n", x->bytes);
	}
	if (total > r->nfailure)
		fprintf(f, "    ... and %llu more\n", (unsigned long long)(total - r->nfailure));
}

void
load_report_text(FILE *f, const struct load_opts *o, const struct load_result *r)
{
	fprintf(f,
	        "load: %s, %u session%s, %llu octets per message body, %u recipient%s each, "
	        "run token %s\n",
	        o->target, o->sessions, o->sessions == 1 ? "" : "s", (unsigned long long)o->size,
	        o->rcpts, o->rcpts == 1 ? "" : "s", r->token);
	if (r->unreachable) {
		fprintf(f, "  unreachable: %s\n", r->unreachable_why);
		fprintf(f, "  result: unreachable (exit %d)\n", load_result_status(r));
		return;
	}
	fprintf(f, "  messages   %llu begun, %llu accepted, %llu failed in %.2f s: %.1f msg/s\n",
	        (unsigned long long)r->started, (unsigned long long)r->accepted,
	        (unsigned long long)r->msgs_failed, r->elapsed_ms / 1000.0, rate(r));
	fprintf(f, "  sessions   %llu connections, %llu up, %llu greeted%s\n",
	        (unsigned long long)r->connects, (unsigned long long)r->connected,
	        (unsigned long long)r->greeted, r->pipelined ? "; PIPELINING used" : "");
	fprintf(f,
	        "  replies    %llu checked against the reply grammar, %llu malformed, %llu lines "
	        "over 512 octets\n",
	        (unsigned long long)r->replies, (unsigned long long)r->malformed,
	        (unsigned long long)r->long_lines);
	text_maildir(f, o, r);
	text_latency(f, r);
	text_failures(f, r);
	fprintf(f, "  stopped    %s\n", r->stop != NULL ? r->stop : "?");
	fprintf(f, "  result: %s (exit %d)\n", result_word(r), load_result_status(r));
}

/* ---- JSON
 * ---------------------------------------------------------------------------------------- */

/* A string Jansson takes (it refuses invalid UTF-8; ours are escaped already). */
static json_t *
jstr(const char *s)
{
	json_t *v = json_string(s != NULL ? s : "");

	return v != NULL ? v : json_string("(not UTF-8)");
}

static json_t *
jint(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v); /* long long */
}

static json_t *
json_options(const struct load_opts *o)
{
	json_t *j = json_object();

	json_object_set_new(j, "sessions", jint(o->sessions));
	json_object_set_new(j, "messages", o->messages > 0 ? jint(o->messages) : json_null());
	json_object_set_new(j, "duration_s",
	                    o->duration_ms > 0 ? json_real((double)o->duration_ms / 1000.0)
	                                       : json_null());
	json_object_set_new(j, "size", jint(o->size));
	json_object_set_new(j, "rcpts", jint(o->rcpts));
	json_object_set_new(j, "per_conn", jint(o->per_conn));
	json_object_set_new(j, "from", jstr(o->from));
	json_object_set_new(j, "to", jstr(o->to));
	json_object_set_new(j, "ehlo", jstr(o->ehlo));
	json_object_set_new(j, "pipelining", json_boolean(o->pipelining));
	json_object_set_new(j, "timeout_s", json_real((double)o->timeout_ms / 1000.0));
	json_object_set_new(j, "max_errors", jint(o->max_errors));
	json_object_set_new(j, "maildir", o->maildir != NULL ? jstr(o->maildir) : json_null());
	return j;
}

static json_t *
json_latency(const struct load_result *r)
{
	json_t *all = json_object();

	for (int p = 0; p < LOAD_PH_COUNT; p++) {
		const struct load_hist *h = &r->lat[p];
		json_t *j = json_object();

		json_object_set_new(j, "count", jint(h->count));
		json_object_set_new(j, "min", json_real((double)load_hist_percentile(h, 0) / 1e3));
		json_object_set_new(j, "mean", json_real(load_hist_mean(h) / 1e3));
		for (size_t k = 0; k < NPCTS; k++)
			json_object_set_new(
			        j, pct_keys[k],
			        json_real((double)load_hist_percentile(h, pcts[k]) / 1e3));
		json_object_set_new(j, "max",
		                    json_real((double)load_hist_percentile(h, 100) / 1e3));
		json_object_set_new(all, load_phase_name((enum load_phase)p), j);
	}
	return all;
}

static json_t *
json_maildir(const struct load_opts *o, const struct load_result *r)
{
	const struct load_maildir_count *md = &r->md;
	json_t *j, *lost;

	if (!r->counted)
		return json_null();
	j = json_object();
	lost = json_array();
	for (size_t i = 0; i < md->nfirst_lost; i++)
		json_array_append_new(lost, jint(md->first_lost[i]));
	json_object_set_new(j, "dir", jstr(o->maildir));
	json_object_set_new(j, "files", jint(md->files));
	json_object_set_new(j, "copies", jint(md->copies));
	json_object_set_new(j, "found", jint(md->found));
	json_object_set_new(j, "lost", jint(md->lost));
	json_object_set_new(j, "unexpected", jint(md->unexpected));
	json_object_set_new(j, "waited_s", json_real((double)md->waited_ms / 1000.0));
	json_object_set_new(j, "first_lost", lost);
	return j;
}

static json_t *
json_failures(const struct load_result *r)
{
	json_t *j = json_object(), *kinds = json_object(), *first = json_array();

	for (int k = 0; k < LOAD_FAIL_COUNT; k++)
		json_object_set_new(kinds, load_fail_name((enum load_fail)k), jint(r->fails[k]));
	for (size_t i = 0; i < r->nfailure; i++) {
		const struct load_failure *x = &r->failure[i];
		json_t *e = json_object();

		json_object_set_new(e, "kind", jstr(load_fail_name(x->kind)));
		json_object_set_new(e, "state", jstr(load_state_name(x->state)));
		json_object_set_new(e, "session", jint(x->session));
		json_object_set_new(e, "message", x->message > 0 ? jint(x->message) : json_null());
		json_object_set_new(e, "code", x->code > 0 ? jint(x->code) : json_null());
		json_object_set_new(e, "what", jstr(x->what));
		json_object_set_new(e, "received", jstr(x->bytes));
		json_array_append_new(first, e);
	}
	json_object_set_new(j, "total", jint(load_result_failures(r)));
	json_object_set_new(j, "by_kind", kinds);
	json_object_set_new(j, "first", first);
	return j;
}

static json_t *
json_counts(const struct load_result *r)
{
	json_t *j = json_object();

	json_object_set_new(j, "begun", jint(r->started));
	json_object_set_new(j, "accepted", jint(r->accepted));
	json_object_set_new(j, "failed", jint(r->msgs_failed));
	return j;
}

static json_t *
json_doc(const struct load_opts *o, const struct load_result *r)
{
	json_t *j = json_object(), *c = json_object(), *rep = json_object();

	json_object_set_new(c, "attempted", jint(r->connects));
	json_object_set_new(c, "up", jint(r->connected));
	json_object_set_new(c, "greeted", jint(r->greeted));
	json_object_set_new(rep, "checked", jint(r->replies));
	json_object_set_new(rep, "malformed", jint(r->malformed));
	json_object_set_new(rep, "long_lines", jint(r->long_lines));
	json_object_set_new(j, "schema_version", json_integer(JSON_SCHEMA));
	json_object_set_new(j, "target", jstr(o->target));
	json_object_set_new(j, "token", jstr(r->token));
	json_object_set_new(j, "options", json_options(o));
	json_object_set_new(j, "elapsed_s", json_real(r->elapsed_ms / 1000.0));
	json_object_set_new(j, "rate_msg_s", json_real(rate(r)));
	json_object_set_new(j, "stop", jstr(r->stop));
	json_object_set_new(j, "messages", json_counts(r));
	json_object_set_new(j, "connections", c);
	json_object_set_new(j, "pipelining_used", json_boolean(r->pipelined));
	json_object_set_new(j, "replies", rep);
	json_object_set_new(j, "latency_ms", json_latency(r));
	json_object_set_new(j, "maildir", json_maildir(o, r));
	json_object_set_new(j, "failures", json_failures(r));
	json_object_set_new(j, "unreachable",
	                    r->unreachable ? jstr(r->unreachable_why) : json_null());
	json_object_set_new(j, "signal", r->signal != 0 ? json_integer(r->signal) : json_null());
	json_object_set_new(j, "result", jstr(result_word(r)));
	json_object_set_new(j, "exit", json_integer(load_result_status(r)));
	return j;
}

int
load_report_json(const char *path, const struct load_opts *o, const struct load_result *r,
                 char *err, size_t errlen)
{
	json_t *doc = json_doc(o, r);
	int rc;

	if (doc == NULL) {
		snprintf(err, errlen, "--json: out of memory");
		return -1;
	}
	if (strcmp(path, "-") == 0)
		rc = json_dumpf(doc, stdout, JSON_FLAGS) == 0 && fputc('\n', stdout) != EOF ? 0
		                                                                            : -1;
	else
		rc = json_dump_file(doc, path, JSON_FLAGS) == 0 ? 0 : -1;
	json_decref(doc);
	if (rc < 0)
		snprintf(err, errlen, "--json %s: cannot write", path);
	return rc;
}
