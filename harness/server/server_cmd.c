/*
 * server_cmd.c: the reference server's command table and handlers.
 * One const row per verb: the states in which it is legal and its handler.
 * A verb outside its states gets 503 from one place (server_cmd_dispatch);
 * argument errors get the code of the library's error table (smtp_error.c);
 * handlers then check policy (local domains, users, limits, extensions).
 * RFC 5321 4.1.1, 4.1.4; RFC 1870, 2920, 3030, 3207, 4954, 6152, 6531.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_private.h"

#define ST(x)  SERVER_STATE_BIT(SERVER_STATE_##x)
#define ST_CMD (ST(INIT) | ST(READY) | ST(MAIL) | ST(RCPT))

struct server_cmd_def {
	unsigned allowed;         /* SERVER_STATE_BIT()s in which the verb is legal */
	enum server_reply_id seq; /* the 503 when it is not (R5321-SEQ-06) */
	void (*run)(struct server_session *, const struct smtp_command *);
};

static void cmd_helo(struct server_session *, const struct smtp_command *);
static void cmd_ehlo(struct server_session *, const struct smtp_command *);
static void cmd_mail(struct server_session *, const struct smtp_command *);
static void cmd_rcpt(struct server_session *, const struct smtp_command *);
static void cmd_data(struct server_session *, const struct smtp_command *);
static void cmd_bdat(struct server_session *, const struct smtp_command *);
static void cmd_rset(struct server_session *, const struct smtp_command *);
static void cmd_noop(struct server_session *, const struct smtp_command *);
static void cmd_quit(struct server_session *, const struct smtp_command *);
static void cmd_vrfy(struct server_session *, const struct smtp_command *);
static void cmd_expn(struct server_session *, const struct smtp_command *);
static void cmd_help(struct server_session *, const struct smtp_command *);
static void cmd_starttls(struct server_session *, const struct smtp_command *);
static void cmd_auth(struct server_session *, const struct smtp_command *);

static const struct server_cmd_def cmd_table[SMTP_VERB_COUNT] = {
	[SMTP_VERB_HELO] = { ST_CMD, SRV_SEQ_BAD, cmd_helo },
	[SMTP_VERB_EHLO] = { ST_CMD, SRV_SEQ_BAD, cmd_ehlo },
	[SMTP_VERB_MAIL] = { ST(READY), SRV_SEQ_MAIL, cmd_mail },
	[SMTP_VERB_RCPT] = { ST(MAIL) | ST(RCPT), SRV_SEQ_RCPT, cmd_rcpt },
	[SMTP_VERB_DATA] = { ST(MAIL) | ST(RCPT), SRV_SEQ_DATA, cmd_data },
	/* a refused chunk is swallowed before its 503 (R3030-CHUNK-06) */
	[SMTP_VERB_BDAT] = { ST(MAIL) | ST(RCPT), SRV_SEQ_BDAT, cmd_bdat },
	[SMTP_VERB_RSET] = { ST_CMD, SRV_SEQ_BAD, cmd_rset },
	[SMTP_VERB_NOOP] = { ST_CMD, SRV_SEQ_BAD, cmd_noop },
	[SMTP_VERB_QUIT] = { ST_CMD, SRV_SEQ_BAD, cmd_quit },
	[SMTP_VERB_VRFY] = { ST_CMD, SRV_SEQ_BAD, cmd_vrfy },
	[SMTP_VERB_EXPN] = { ST_CMD, SRV_SEQ_BAD, cmd_expn },
	[SMTP_VERB_HELP] = { ST_CMD, SRV_SEQ_BAD, cmd_help },
	[SMTP_VERB_STARTTLS] = { ST(INIT) | ST(READY), SRV_SEQ_STARTTLS, cmd_starttls },
	[SMTP_VERB_AUTH] = { ST(READY), SRV_SEQ_AUTH, cmd_auth },
	/* SEND SOML SAML TURN ETRN ATRN: recognised, not implemented (502). */
};

/* ---- helpers ------------------------------------------------------------ */

static void
copy_slice(char *dst, size_t cap, struct smtp_slice s)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;

	memcpy(dst, s.ptr, n);
	dst[n] = '\0';
}

/* "local@domain" of a parsed path, route dropped (RFC 5321 4.1.1.3). */
static void
path_mailbox(const struct smtp_path *p, char *dst, size_t cap)
{
	if (p->flags & SMTP_PATH_F_NULL) {
		dst[0] = '\0';
		return;
	}
	if (snprintf(dst, cap, "%.*s@%.*s", (int)p->local.len, p->local.ptr, (int)p->domain.len,
	             p->domain.ptr) >= (int)cap)
		dst[cap - 1] = '\0';
}

/* Quoted-string local parts mean their unescaped content (RFC 5321 4.1.2). */
static size_t
unquote_local(struct smtp_slice local, char *dst, size_t cap)
{
	size_t o = 0;

	if (local.len < 2 || local.ptr[0] != '"') {
		copy_slice(dst, cap, local);
		return strlen(dst);
	}
	for (size_t i = 1; i + 1 < local.len && o + 1 < cap; i++) {
		if (local.ptr[i] == '\\' && i + 2 < local.len)
			i++;
		dst[o++] = local.ptr[i];
	}
	dst[o] = '\0';
	return o;
}

static bool
no_params(struct server_session *s, const struct smtp_command *cmd)
{
	if (cmd->params.count == 0)
		return true;
	server_reply_slice(s, SRV_PARAM_UNKNOWN, cmd->params.item[0].keyword);
	server_count_error(s);
	return false;
}

/* ---- session identity --------------------------------------------------- */

static void
greet_common(struct server_session *s, const struct smtp_command *cmd, bool esmtp)
{
	server_txn_reset(s);
	copy_slice(s->helo, sizeof(s->helo), cmd->domain);
	s->esmtp = esmtp;
	server_set_state(s, SERVER_STATE_READY);
}

static void
cmd_helo(struct server_session *s, const struct smtp_command *cmd)
{
	greet_common(s, cmd, false);
	/* GREET-10: HELO gets a plain one-line 250. */
	server_reply_str(s, SRV_HELO_OK, s->cfg->hostname);
}

static void
cmd_ehlo(struct server_session *s, const struct smtp_command *cmd)
{
	greet_common(s, cmd, true);
	server_reply_str2(s, SRV_EHLO_OK, s->cfg->hostname, s->helo);
	server_reply_send(s, SRV_EHLO_PIPELINING);
	server_reply_u64(s, SRV_EHLO_SIZE, s->cfg->max_message);
	server_reply_send(s, SRV_EHLO_8BITMIME);
	server_reply_send(s, SRV_EHLO_ENHANCEDSTATUSCODES);
	server_reply_send(s, SRV_EHLO_SMTPUTF8);
	server_reply_send(s, SRV_EHLO_CHUNKING);
	if (s->cfg->tls && !s->tls)
		server_reply_send(s, SRV_EHLO_STARTTLS); /* not inside TLS: R3207-TLS-06 */
	if (s->tls || s->cfg->auth_plaintext)
		server_reply_send(s, SRV_EHLO_AUTH); /* not in clear: SEC-06 */
	server_reply_send(s, SRV_EHLO_HELP);
}

/* ---- MAIL --------------------------------------------------------------- */

/* Checks one MAIL parameter. Returns 0, or -1 after replying. */
static int
mail_param(struct server_session *s, const struct smtp_param *p)
{
	struct smtp_error err;

	if (!s->esmtp)
		goto unknown;
	if (smtp_slice_eq_ci(p->keyword, "SIZE")) {
		uint64_t v;
		bool over;

		if (!p->has_value || smtp_param_size(p->value, &v, &over, &err) < 0) {
			server_reply_send(s, SRV_MAIL_SIZE_SYNTAX);
			return -1;
		}
		if (over || v > s->cfg->max_message) {
			server_reply_u64(s, SRV_MAIL_SIZE_TOO_BIG, s->cfg->max_message);
			return -1;
		}
		return 0;
	}
	if (smtp_slice_eq_ci(p->keyword, "BODY")) {
		if (p->has_value && smtp_slice_eq_ci(p->value, "7BIT"))
			return 0;
		if (p->has_value && smtp_slice_eq_ci(p->value, "8BITMIME")) {
			s->body_8bit = true;
			return 0;
		}
		server_reply_send(s, SRV_MAIL_BODY_SYNTAX);
		return -1;
	}
	if (smtp_slice_eq_ci(p->keyword, "SMTPUTF8")) {
		if (p->has_value) {
			server_reply_send(s, SRV_MAIL_SMTPUTF8_VALUE);
			return -1;
		}
		s->smtputf8 = true;
		return 0;
	}
	if (smtp_slice_eq_ci(p->keyword, "AUTH") && (s->tls || s->cfg->auth_plaintext)) {
		/* RFC 4954 5: AUTH=<> or an xtext mailbox; we treat every value as <>. */
		if (!p->has_value ||
		    (!smtp_slice_eq(p->value, "<>") && !smtp_param_xtext_ok(p->value))) {
			server_reply_send(s, SRV_MAIL_AUTH_SYNTAX);
			return -1;
		}
		return 0;
	}
unknown:
	server_reply_slice(s, SRV_PARAM_UNKNOWN, p->keyword);
	return -1;
}

static void
cmd_mail(struct server_session *s, const struct smtp_command *cmd)
{
	server_txn_reset(s);
	for (size_t i = 0; i < cmd->params.count; i++) {
		if (mail_param(s, &cmd->params.item[i]) < 0) {
			server_txn_reset(s);
			server_count_error(s);
			return;
		}
	}
	if ((cmd->path.flags & SMTP_PATH_F_UTF8) && !s->smtputf8) {
		/* RFC 6531 3.5: MAIL gets 550 5.6.7 without SMTPUTF8. */
		server_reply_send(s, SRV_MAIL_NEEDS_SMTPUTF8);
		server_txn_reset(s);
		return;
	}
	path_mailbox(&cmd->path, s->sender, sizeof(s->sender));
	s->have_mail = true;
	server_set_state(s, SERVER_STATE_MAIL);
	server_reply_str(s, SRV_MAIL_OK, s->sender);
}

/* ---- RCPT --------------------------------------------------------------- */

static int
add_rcpt(struct server_session *s, const char *user, const char *domain)
{
	char **grown;
	char *r;
	size_t n = strlen(user) + strlen(domain) + 2;

	grown = realloc(s->rcpts, (s->nrcpts + 1) * sizeof(*s->rcpts));
	if (grown == NULL)
		return -1;
	s->rcpts = grown;
	r = malloc(n);
	if (r == NULL)
		return -1;
	if (snprintf(r, n, "%s@%s", user, domain) >= (int)n) {
		free(r);
		return -1;
	}
	s->rcpts[s->nrcpts++] = r;
	return 0;
}

static void
cmd_rcpt(struct server_session *s, const struct smtp_command *cmd)
{
	const struct smtp_path *p = &cmd->path;
	const char *user, *domain = s->cfg->domains[0];
	char local[SMTP_LIMIT_LOCAL_PART + 1];
	size_t llen;

	if (!no_params(s, cmd))
		return;
	if ((p->flags & SMTP_PATH_F_UTF8) && !s->smtputf8) {
		/* RFC 6531 3.5: RCPT gets 553 5.6.7 without SMTPUTF8. */
		server_reply_send(s, SRV_RCPT_NEEDS_SMTPUTF8);
		return;
	}
	if (s->nrcpts >= s->cfg->max_recipients) {
		/* RFC 5321 4.5.3.1.10 */
		server_reply_send(s, SRV_RCPT_TOO_MANY);
		return;
	}
	if (!(p->flags & SMTP_PATH_F_POSTMASTER)) {
		if (p->domain_kind != SMTP_DOMAIN_NAME ||
		    !server_config_is_local_domain(s->cfg, p->domain.ptr, p->domain.len)) {
			server_reply_send(s, SRV_RCPT_RELAY_DENIED);
			return;
		}
		domain = NULL;
		for (size_t i = 0; i < s->cfg->ndomains && domain == NULL; i++) {
			if (strlen(s->cfg->domains[i]) == p->domain.len &&
			    server_config_is_local_domain(s->cfg, p->domain.ptr, p->domain.len))
				domain = s->cfg->domains[i];
		}
		if (domain == NULL)
			domain = s->cfg->domains[0];
	}
	llen = unquote_local(p->local, local, sizeof(local));
	user = server_config_find_user(s->cfg, local, llen);
	if (user == NULL) {
		server_reply_send(s, SRV_RCPT_UNKNOWN_USER);
		return;
	}
	if (add_rcpt(s, user, domain) < 0) {
		server_reply_send(s, SRV_RCPT_NO_MEMORY);
		return;
	}
	server_set_state(s, SERVER_STATE_RCPT);
	server_reply_str2(s, SRV_RCPT_OK, user, domain);
}

/* ---- DATA / BDAT -------------------------------------------------------- */

static void
cmd_data(struct server_session *s, const struct smtp_command *cmd)
{
	(void)cmd;
	if (s->used_bdat) {
		/* RFC 3030 2: DATA and BDAT never mix in one transaction. */
		server_reply_send(s, SRV_DATA_AFTER_BDAT);
		return;
	}
	if (s->nrcpts == 0) {
		server_reply_send(s, SRV_NO_VALID_RCPT);
		return;
	}
	if (server_msg_begin(s) < 0) {
		server_reply_send(s, SRV_DATA_CANNOT_STORE);
		return;
	}
	smtp_data_init(&s->data, 0);
	server_set_state(s, SERVER_STATE_DATA);
	server_reply_send(s, SRV_DATA_GO);
}

/*
 * A chunk far larger than any message we take cannot be swallowed in
 * reasonable time: refuse it and close (R3030-CHUNK-08: capped by the size
 * limit). Smaller ones are read to their end, then refused (CHUNK-06).
 * Returns true when that happened.
 */
static bool
bdat_too_big(struct server_session *s, uint64_t size)
{
	/* Up to SERVER_BDAT_SWALLOW_FACTOR times the limit is still read and refused after. */
	if (size / SERVER_BDAT_SWALLOW_FACTOR <= s->cfg->max_message)
		return false;
	server_reply_u64(s, SRV_BDAT_TOO_BIG, s->cfg->max_message);
	server_reply_str(s, SRV_BDAT_CLOSING, s->cfg->hostname);
	server_close(s);
	return true;
}

/* RFC 3030 2: a refused chunk is still read to its end before the reply. */
static void
bdat_refuse(struct server_session *s, uint64_t size, enum server_reply_id reply)
{
	if (size == 0) {
		server_reply_send(s, reply);
		return;
	}
	if (bdat_too_big(s, size))
		return;
	s->bdat_discard = true;
	s->bdat_left = size;
	s->bdat_reply = reply;
	s->bdat_prev = s->state;
	server_set_state(s, SERVER_STATE_BDAT);
}

static void
cmd_bdat(struct server_session *s, const struct smtp_command *cmd)
{
	if (s->nrcpts == 0) {
		bdat_refuse(s, cmd->bdat_size, SRV_NO_VALID_RCPT);
		return;
	}
	if (bdat_too_big(s, cmd->bdat_size > UINT64_MAX - s->msg_size
	                            ? UINT64_MAX
	                            : s->msg_size + cmd->bdat_size))
		return;
	if (!s->used_bdat) {
		if (server_msg_begin(s) < 0) {
			bdat_refuse(s, cmd->bdat_size, SRV_BDAT_CANNOT_STORE);
			return;
		}
		s->used_bdat = true;
	}
	s->bdat_last = cmd->bdat_last;
	if (cmd->bdat_size == 0) {
		if (cmd->bdat_last)
			server_msg_finish(s, 0);
		else
			server_reply_u64(s, SRV_BDAT_CHUNK_OK, 0);
		return;
	}
	s->bdat_left = cmd->bdat_size;
	s->bdat_discard = false;
	s->bdat_prev = SERVER_STATE_RCPT;
	server_set_state(s, SERVER_STATE_BDAT);
}

/* ---- the rest ----------------------------------------------------------- */

static void
cmd_rset(struct server_session *s, const struct smtp_command *cmd)
{
	(void)cmd;
	server_txn_reset(s);
	server_set_state(s, s->helo[0] != '\0' ? SERVER_STATE_READY : SERVER_STATE_INIT);
	server_reply_send(s, SRV_RSET_OK);
}

static void
cmd_noop(struct server_session *s, const struct smtp_command *cmd)
{
	(void)cmd;
	server_reply_send(s, SRV_NOOP_OK);
}

static void
cmd_quit(struct server_session *s, const struct smtp_command *cmd)
{
	(void)cmd;
	server_reply_str(s, SRV_QUIT, s->cfg->hostname);
	server_close(s);
}

static void
cmd_vrfy(struct server_session *s, const struct smtp_command *cmd)
{
	const struct smtp_path *p = &cmd->path;
	const char *user;

	if (p->local.len == 0) {
		/* A plain user name. */
		user = server_config_find_user(s->cfg, cmd->arg.ptr, cmd->arg.len);
	} else if (p->flags & SMTP_PATH_F_POSTMASTER) {
		user = server_config_find_user(s->cfg, p->local.ptr, p->local.len);
	} else if (p->domain_kind == SMTP_DOMAIN_NAME &&
	           server_config_is_local_domain(s->cfg, p->domain.ptr, p->domain.len)) {
		user = server_config_find_user(s->cfg, p->local.ptr, p->local.len);
	} else {
		/* RFC 5321 3.5.3: not ours to verify. */
		server_reply_send(s, SRV_VRFY_CANNOT);
		return;
	}
	if (user == NULL) {
		server_reply_send(s, SRV_VRFY_UNKNOWN_USER);
		return;
	}
	server_reply_str2(s, SRV_VRFY_OK, user, s->cfg->domains[0]);
}

static void
cmd_expn(struct server_session *s, const struct smtp_command *cmd)
{
	(void)cmd;
	server_reply_send(s, SRV_EXPN_OFF);
}

static void
cmd_help(struct server_session *s, const struct smtp_command *cmd)
{
	(void)cmd;
	server_reply_send(s, SRV_HELP_1);
	server_reply_send(s, SRV_HELP_2);
	server_reply_send(s, SRV_HELP_3);
}

static void
cmd_starttls(struct server_session *s, const struct smtp_command *cmd)
{
	(void)cmd;
	if (s->tls) {
		server_reply_send(s, SRV_STARTTLS_AGAIN);
		return;
	}
	if (!s->cfg->tls) {
		server_reply_send(s, SRV_STARTTLS_OFF);
		return;
	}
	server_reply_send(s, SRV_STARTTLS_GO);
	server_set_state(s, SERVER_STATE_TLS);
	s->events |= SERVER_EV_TLS;
}

static void
cmd_auth(struct server_session *s, const struct smtp_command *cmd)
{
	server_auth_start(s, cmd);
}

/* ---- dispatch ----------------------------------------------------------- */

static void
reply_sequence(struct server_session *s, const struct server_cmd_def *def)
{
	server_reply_send(s, s->state == SERVER_STATE_INIT ? SRV_SEQ_HELO_FIRST : def->seq);
}

void
server_cmd_dispatch(struct server_session *s, const char *line, size_t len)
{
	struct smtp_command cmd;
	struct smtp_error err = { SMTP_ERR_NONE, 0 };
	int rc = smtp_command_parse(line, len, &cmd, &err);
	const struct server_cmd_def *def = &cmd_table[cmd.verb];

	if (cmd.verb == SMTP_VERB_BDAT && !s->esmtp) {
		/* R3030-CHUNK-10: without EHLO, CHUNKING was never offered. */
		server_reply_send(s, SRV_BDAT_NEEDS_EHLO);
		server_count_error(s);
		return;
	}
	if (rc < 0 && (cmd.verb == SMTP_VERB_UNKNOWN || cmd.verb == SMTP_VERB_BDAT)) {
		server_reply_error(s, &err, false);
		if (err.code == SMTP_ERR_BDAT_TOO_BIG) {
			/* We cannot know where such a chunk ends: stop here (R3030-CHUNK-08). */
			server_reply_str(s, SRV_BDAT_CLOSING, s->cfg->hostname);
			server_close(s);
			return;
		}
		server_count_error(s);
		return;
	}
	if (def->run == NULL) {
		server_reply_send(s, SRV_NOT_IMPLEMENTED);
		server_count_error(s);
		return;
	}
	if (!(def->allowed & SERVER_STATE_BIT(s->state))) {
		if (cmd.verb == SMTP_VERB_BDAT)
			bdat_refuse(s, cmd.bdat_size, def->seq);
		else
			reply_sequence(s, def);
		server_count_error(s);
		return;
	}
	if (rc < 0) {
		server_reply_error(s, &err, cmd.verb == SMTP_VERB_MAIL);
		server_count_error(s);
		return;
	}
	def->run(s, &cmd);
}
