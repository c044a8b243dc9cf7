/*
 * oracle_parsers.h: the reply and EHLO parsers (harness/proto/smtp_reply.c,
 * smtp_ehlo.c) compiled into a target that uses them only as oracles, over
 * output the code under test wrote. Built here without coverage feedback (as
 * FUZZ_NOCOV does for the targets' own checks): the server never calls them, so
 * their branches say nothing about the server, and their per-octet comparisons
 * were a third of fuzz_server_session's trace-cmp calls. The same source, not a
 * copy; the library's objects for these two files are then not linked in.
 * The coverage build (SMTPH_FUZZ_COVERAGE) links the library's objects instead,
 * so that `make fuzz-coverage` counts only what the reply and EHLO targets reach.
 * Include once, in one target.
 */
#ifndef SMTPH_FUZZ_ORACLE_PARSERS_H
#define SMTPH_FUZZ_ORACLE_PARSERS_H

#ifndef SMTPH_FUZZ_COVERAGE
#if defined(__clang__) && __clang_major__ >= 13
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)
#endif
#include "../harness/proto/smtp_reply.c"
#include "../harness/proto/smtp_ehlo.c"
#if defined(__clang__) && __clang_major__ >= 13
#pragma clang attribute pop
#endif
#endif

#endif
