/*
 * fuzz_smtp_ehlo.c: the EHLO reply reader (smtp_ehlo_parse) behind the reply
 * parser. Octet 0 bit 0 picks the input form: raw reply bytes, or lines (split
 * at LF) that this target frames as "250-"... "250 " so the fuzzer spends its
 * time on keyword lines. Oracles: the keyword list mirrors the reply's lines
 * (one per line after the first, at most SMTP_LIMIT_EHLO_KEYWORDS), keywords
 * obey RFC 5321 4.2 ehlo-keyword, slices stay in the reply, the SMTP_EXT_* set
 * is exactly the known keywords', SIZE (RFC 1870 4) and the AUTH list (RFC 4954
 * 3, legacy "AUTH=" only when no standard line) match independent decodes,
 * and find / has_auth agree with the list.
 */
#include "fuzz.h"

#include "smtph/smtp_ehlo.h"
#include "smtph/smtp_error.h"
#include "smtph/smtp_reply.h"

static bool
alnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
ci_eq(struct smtp_slice a, struct smtp_slice b)
{
	if (a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++) {
		unsigned char x = (unsigned char)a.ptr[i], y = (unsigned char)b.ptr[i];

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
		if (x != y)
			return false;
	}
	return true;
}

/* RFC 1870 4: the SIZE parameter, saturating; -1 when not 0-20 digits. */
static int
ref_size(struct smtp_slice v, uint64_t *out)
{
	uint64_t x = 0;

	if (v.len > 20)
		return -1;
	for (size_t i = 0; i < v.len; i++) {
		unsigned d;

		if (v.ptr[i] < '0' || v.ptr[i] > '9')
			return -1;
		d = (unsigned)(v.ptr[i] - '0');
		x = x > (UINT64_MAX - d) / 10 ? UINT64_MAX : x * 10 + d;
	}
	*out = x;
	return 0;
}

/* Whether the SP/HTAB separated list holds word (ASCII case-insensitive). */
static bool
ref_has(struct smtp_slice list, const char *word)
{
	struct smtp_slice w = { word, strlen(word) };
	size_t i = 0;

	while (i < list.len) {
		size_t st;

		while (i < list.len && (list.ptr[i] == ' ' || list.ptr[i] == '\t'))
			i++;
		st = i;
		while (i < list.len && list.ptr[i] != ' ' && list.ptr[i] != '\t')
			i++;
		if (i > st && ci_eq((struct smtp_slice){ list.ptr + st, i - st }, w))
			return true;
	}
	return false;
}

static void
check_ehlo(const struct smtp_reply *r, const struct smtp_ehlo *e)
{
	const char *raw = r->raw.ptr;
	size_t rawlen = r->raw.len;
	unsigned ext = 0;
	const struct smtp_ehlo_keyword *auth_std = NULL, *auth_legacy = NULL, *size_kw = NULL;

	FUZZ_CHECK(r->code == 250, "EHLO accepted with code %u", r->code);
	FUZZ_CHECK(e->count == r->nlines - 1, "%zu keywords for %zu lines", e->count, r->nlines);
	FUZZ_CHECK(e->count <= SMTP_LIMIT_EHLO_KEYWORDS, "count %zu", e->count);
	FUZZ_CHECK(e->domain.len > 0 && fuzz_in_bounds(raw, rawlen, e->domain.ptr, e->domain.len),
	           "domain");
	FUZZ_CHECK(fuzz_in_bounds(raw, rawlen, e->greeting.ptr, e->greeting.len), "greeting");
	FUZZ_CHECK(fuzz_in_bounds(raw, rawlen, e->auth.ptr, e->auth.len), "auth list");
	for (size_t i = 0; i < e->count; i++) {
		const struct smtp_ehlo_keyword *k = &e->kw[i];
		const struct smtp_ehlo_keyword *f;
		char name[64];

		FUZZ_CHECK(fuzz_in_bounds(raw, rawlen, k->name.ptr, k->name.len) &&
		                   fuzz_in_bounds(raw, rawlen, k->params.ptr, k->params.len),
		           "keyword %zu outside the reply", i);
		/* ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-") */
		FUZZ_CHECK(k->name.len > 0 && alnum((unsigned char)k->name.ptr[0]), "keyword %zu",
		           i);
		for (size_t j = 1; j < k->name.len; j++)
			FUZZ_CHECK(alnum((unsigned char)k->name.ptr[j]) || k->name.ptr[j] == '-',
			           "keyword %zu octet %zu", i, j);
		/* The octet after the keyword is SP, end of line, or '=' of a legacy AUTH=. */
		{
			char after = k->name.ptr[k->name.len];
			bool legacy = after == '=';

			FUZZ_CHECK(after == ' ' || after == '\r' || legacy,
			           "keyword %zu ends badly", i);
			if (legacy)
				FUZZ_CHECK(smtp_slice_eq_ci(k->name, "AUTH"),
				           "'=' after a non-AUTH keyword");
			ext |= smtp_ehlo_ext_bit(k->name);
			if (smtp_ehlo_ext_bit(k->name) == SMTP_EXT_AUTH) {
				if (legacy)
					auth_legacy = k;
				else
					auth_std = k;
			}
			if (smtp_ehlo_ext_bit(k->name) == SMTP_EXT_SIZE)
				size_kw = k;
		}
		if (k->params.len > 0)
			FUZZ_CHECK(k->params.ptr[0] != ' ' && k->params.ptr[0] != '\t' &&
			                   k->params.ptr[k->params.len - 1] != ' ' &&
			                   k->params.ptr[k->params.len - 1] != '\t',
			           "params not trimmed");
		if (k->name.len < sizeof(name)) {
			memcpy(name, k->name.ptr, k->name.len);
			name[k->name.len] = '\0';
			f = smtp_ehlo_find(e, name);
			FUZZ_CHECK(f != NULL && f <= k && ci_eq(f->name, k->name),
			           "find(%s) misses the first match", name);
		}
	}
	FUZZ_CHECK(e->ext == ext, "ext %#x, keywords say %#x", e->ext, ext);
	if (size_kw != NULL) {
		uint64_t v = 0;

		FUZZ_CHECK(ref_size(size_kw->params, &v) == 0 && e->size_max == v,
		           "SIZE %llu, last SIZE line says %llu", (unsigned long long)e->size_max,
		           (unsigned long long)v);
	} else {
		FUZZ_CHECK(e->size_max == 0, "size_max without SIZE");
	}
	/* The RFC 4954 line wins; the legacy "AUTH=" form only counts alone (last one wins). */
	if (auth_std != NULL)
		FUZZ_CHECK(e->auth.ptr == auth_std->params.ptr &&
		                   e->auth.len == auth_std->params.len,
		           "AUTH list is not the last standard AUTH line's");
	else if (auth_legacy != NULL)
		FUZZ_CHECK(e->auth.ptr == auth_legacy->params.ptr &&
		                   e->auth.len == auth_legacy->params.len,
		           "AUTH list is not the legacy line's");
	else
		FUZZ_CHECK(e->auth.len == 0, "AUTH list without AUTH");
	/* Every mechanism of the list is found; a word that is not in it is not. */
	{
		size_t i = 0;

		while (i < e->auth.len) {
			char mech[64];
			size_t st;

			while (i < e->auth.len && (e->auth.ptr[i] == ' ' || e->auth.ptr[i] == '\t'))
				i++;
			st = i;
			while (i < e->auth.len && e->auth.ptr[i] != ' ' && e->auth.ptr[i] != '\t')
				i++;
			if (i > st && i - st < sizeof(mech) &&
			    memchr(e->auth.ptr + st, '\0', i - st) == NULL) {
				memcpy(mech, e->auth.ptr + st, i - st);
				mech[i - st] = '\0';
				FUZZ_CHECK(smtp_ehlo_has_auth(e, mech), "has_auth(%s) false", mech);
			}
		}
		FUZZ_CHECK(smtp_ehlo_has_auth(e, "X-NO-SUCH") == ref_has(e->auth, "X-NO-SUCH"),
		           "has_auth of an absent mechanism");
	}
}

/* Frames the lines of s (split at LF, a CR before it dropped) as one 250 reply. */
static char *
synth(const char *s, size_t n, size_t *out_len)
{
	size_t lines = 1, w = 0;
	char *out;

	for (size_t i = 0; i < n; i++)
		lines += s[i] == '\n';
	out = malloc(n + lines * 6 + 1);
	if (out == NULL)
		abort();
	for (size_t i = 0, l = 0; l < lines; l++) {
		size_t j = i;

		while (j < n && s[j] != '\n')
			j++;
		memcpy(out + w, l + 1 < lines ? "250-" : "250 ", 4);
		w += 4;
		memcpy(out + w, s + i, j - i);
		w += j - i;
		if (j > i && s[j - 1] == '\r')
			w--;
		out[w++] = '\r';
		out[w++] = '\n';
		i = j + 1;
	}
	*out_len = w;
	return out;
}

int FUZZ_NOCOV
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_reply_parser p;
	struct smtp_reply r;
	struct smtp_ehlo e;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	char *buf;
	size_t n, used = 0;
	int rc;

	if (size < 1 || size > 100000)
		return 0;
	if (data[0] & 1) {
		buf = synth((const char *)data + 1, size - 1, &n);
	} else {
		n = size - 1;
		buf = fuzz_dup(data + 1, n);
	}
	smtp_reply_parser_init(&p, &(struct smtp_reply_limits){ 1000, 200, 0 });
	rc = smtp_reply_parse(&p, buf, n, &used, &r, &err);
	if (rc == 1) {
		rc = smtp_ehlo_parse(&r, &e, &err);
		FUZZ_CHECK(rc == 0 || rc == -1, "rc %d", rc);
		if (rc == 0) {
			check_ehlo(&r, &e);
		} else {
			FUZZ_CHECK(err.code >= SMTP_ERR_EHLO_NOT_250 &&
			                   err.code <= SMTP_ERR_EHLO_SIZE,
			           "error %s", smtp_error_name(err.code));
			FUZZ_CHECK(err.offset <= r.raw.len, "offset %zu", err.offset);
			FUZZ_CHECK(r.code != 250 ? err.code == SMTP_ERR_EHLO_NOT_250
			                         : err.code != SMTP_ERR_EHLO_NOT_250,
			           "NOT_250 for code %u", r.code);
		}
	}
	free(buf);
	return 0;
}
