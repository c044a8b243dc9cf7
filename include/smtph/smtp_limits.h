/*
 * smtp_limits.h: every size limit the protocol library enforces, in one place.
 * RFC 5321 section 4.5.3.1 gives the minimums a receiver must accept; our own
 * caps (reply lines, reply bytes, parameters) bound what we read from peers.
 */
#ifndef SMTPH_SMTP_LIMITS_H
#define SMTPH_SMTP_LIMITS_H

/* RFC 5321 4.5.3.1.1: local part, in octets. */
#define SMTP_LIMIT_LOCAL_PART 64
/* RFC 5321 4.5.3.1.2: domain, in octets. */
#define SMTP_LIMIT_DOMAIN 255
/* RFC 1035 2.3.4 (and RFC 5321 4.1.2): one label of a domain. */
#define SMTP_LIMIT_LABEL 63
/* RFC 5321 4.5.3.1.3: reverse-path or forward-path, brackets included. */
#define SMTP_LIMIT_PATH 256
/* RFC 5321 4.5.3.1.4: command line, verb and CRLF included. */
#define SMTP_LIMIT_COMMAND_LINE 512
/* RFC 5321 4.5.3.1.5: reply line, code and CRLF included. */
#define SMTP_LIMIT_REPLY_LINE 512
/* RFC 5321 4.5.3.1.6: text line of message content, CRLF included. */
#define SMTP_LIMIT_TEXT_LINE 1000
/* RFC 5321 4.5.3.1.8: recipients a server must buffer at the least. */
#define SMTP_LIMIT_RECIPIENTS_MIN 100

/* Our caps on what a peer may send us in one reply (hostile-server defence). */
#define SMTP_LIMIT_REPLY_LINES 128
#define SMTP_LIMIT_REPLY_BYTES 65536
/* Our cap on ESMTP parameters after one MAIL/RCPT path. */
#define SMTP_LIMIT_PARAMS 16
/* Our cap on EHLO keywords kept from one EHLO reply. */
#define SMTP_LIMIT_EHLO_KEYWORDS 64
/* RFC 1870: a SIZE value is 1 to 20 digits. */
#define SMTP_LIMIT_SIZE_DIGITS 20
/* RFC 3461 4.4: ENVID is at most 100 characters; 4.2: ORCPT at most 500. */
#define SMTP_LIMIT_ENVID 100
#define SMTP_LIMIT_ORCPT 500

#endif
