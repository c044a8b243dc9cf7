/* version.h: the smtp-harness version, printed by `version` and in every report. */
#ifndef SMTPH_VERSION_H
#define SMTPH_VERSION_H

#define SMTPH_VERSION "0.1.0"

#endif
