/*
 * scenario_states.h: which command a session sends in which SMTP state. A
 * walker is fed the client's bytes and the server's reply codes in order and
 * records, for every command line, the state the server was in when it read
 * it (the row) and the command's class (the column: its verb, an obsolete
 * verb, an unknown one, or a line the strict parser refuses). The codes are
 * either the replies that came (a run's transcript) or the ones a scenario
 * expects (scenario_states_walk: the suite read without running it). `coverage
 * --states` counts, per cell, the scenarios that reach it; an empty cell is a
 * gap in the suite.
 */
#ifndef SMTPH_SCENARIO_STATES_H
#define SMTPH_SCENARIO_STATES_H

#include <stdbool.h>
#include <stddef.h>

#include "smtph/profile.h"
#include "smtph/scenario.h"

enum scenario_state {
	SCENARIO_ST_PRE_GREETING = 0, /* connected, no greeting read yet */
	SCENARIO_ST_GREETED,          /* 220 read, no HELO/EHLO accepted */
	SCENARIO_ST_HELO,             /* after HELO/EHLO, no transaction */
	SCENARIO_ST_MAIL,             /* MAIL accepted, no recipient yet */
	SCENARIO_ST_RCPT,             /* at least one RCPT accepted */
	SCENARIO_ST_DATA,             /* after 354: the message content */
	SCENARIO_ST_BDAT,             /* after a BDAT chunk that was not LAST */
	SCENARIO_ST_TLS,              /* after the STARTTLS handshake, before EHLO */
	SCENARIO_ST_AUTH,             /* authenticated, no transaction */
	SCENARIO_ST_COUNT
};

enum scenario_cmd_class {
	SCENARIO_CC_HELO = 0,
	SCENARIO_CC_EHLO,
	SCENARIO_CC_MAIL,
	SCENARIO_CC_RCPT,
	SCENARIO_CC_DATA,
	SCENARIO_CC_BDAT,
	SCENARIO_CC_RSET,
	SCENARIO_CC_NOOP,
	SCENARIO_CC_QUIT,
	SCENARIO_CC_VRFY,
	SCENARIO_CC_EXPN,
	SCENARIO_CC_HELP,
	SCENARIO_CC_STARTTLS,
	SCENARIO_CC_AUTH,
	SCENARIO_CC_OBSOLETE,  /* SEND, SOML, SAML, TURN, ETRN, ATRN */
	SCENARIO_CC_UNKNOWN,   /* a well-formed word that is no verb */
	SCENARIO_CC_MALFORMED, /* a line the strict parser refuses (bad syntax, bare CR, NUL...) */
	SCENARIO_CC_BODY,      /* message content (only in the DATA state) */
	SCENARIO_CC_COUNT
};

/* Short names for the table: "before-greeting", "HELO", "malformed", ... */
const char *scenario_state_name(enum scenario_state st);
const char *scenario_cmd_class_name(enum scenario_cmd_class cc);
/* The class's short name for a table's column head (at most 5 characters). */
const char *scenario_cmd_class_head(enum scenario_cmd_class cc);

/* False for the cells that cannot happen: content outside DATA, commands inside it. */
bool scenario_states_cell_applies(enum scenario_state st, enum scenario_cmd_class cc);

/* Commands sent but not answered yet (a pipelined group); more are recorded at once. */
#define SCENARIO_STATES_PENDING 64

struct scenario_states_pending {
	enum scenario_cmd_class cc;
	enum scenario_state at; /* the state expected when the server reads it */
	bool bdat_last;
	bool auth_initial; /* AUTH with an initial response: 235 may come at once */
	bool end_of_data;  /* the "." line after content */
	bool auth_reply;   /* a line answering a 334 challenge */
};

struct scenario_states {
	bool seen[SCENARIO_ST_COUNT][SCENARIO_CC_COUNT]; /* what this session reached */
	enum scenario_state state;
	bool authed, closed, in_auth; /* in_auth: a 334 came, the next line answers it */
	struct scenario_states_pending pend[SCENARIO_STATES_PENDING];
	size_t npend;
	size_t bdat_skip; /* octets of a BDAT chunk still to come (not command lines) */
	char line[1024];  /* a command line split across two feeds (kept up to the cap) */
	size_t linelen;
	bool line_long; /* the partial line was longer than the cap */
};

/* A session before its greeting (greeted: the greeting was read already). */
void scenario_states_init(struct scenario_states *w, bool greeted);

/* Client bytes, as sent; lines may be split across calls. */
void scenario_states_send(struct scenario_states *w, const char *p, size_t len);

/* One reply's code (the greeting when nothing is pending); 0 = the connection closed. */
void scenario_states_reply(struct scenario_states *w, unsigned code);

/* The end of the session: commands never answered are recorded where they were sent. */
void scenario_states_finish(struct scenario_states *w);

/*
 * Walks a scenario without running it: its steps' bytes (variables from
 * profile) and, for every reply they read, the most positive code the step
 * accepts (any code: the usual positive reply for the command). Fills w.
 * Returns 0, or -1 with err set (a variable the profile lacks, memory).
 */
int scenario_states_walk(const struct scenario *sc, const struct profile *profile,
                         struct scenario_states *w, char *err, size_t errlen);

#endif
