/*
 * csv_in — read CSV files (ours, archload's, anyone's RFC 4180) one record at a time, through
 * libcsv's parser (csv_init / csv_parse / csv_fini), for `archsim merge` and `archsim compare`.
 *
 * Design: a pull reader over a push parser. The file is read a physical line at a time
 * (getline) and each line is fed to csv_parse; libcsv calls back per field and at each record
 * end, and csv_in_next returns as soon as a record is complete. A quoted field with a line
 * break in it simply takes more lines. So memory is one record however large the file is,
 * and a k-way merge can hold one open reader per input. Fields are copied into one growing
 * buffer per reader and handed out as NUL-terminated strings valid until the next call.
 *
 * Rejected: reading the whole file into a table (merging 100 timeseries files of a long run
 * would hold them all in memory); a hand-written splitter (quoting rules are libcsv's job and
 * the schema promises "any CSV reader reads them"); libcsv's non-strict mode (it silently
 * accepts a stray quote inside an unquoted field, which we would rather report).
 */
#ifndef ARCHSIM_CSV_IN_H
#define ARCHSIM_CSV_IN_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

/* A reader over one open file: opaque. */
struct csv_in;

/* One record: nfields NUL-terminated fields (an empty field is ""), borrowed from the reader
 * and valid until the next csv_in_next or csv_in_close. line is the 1-based physical line on
 * which the record starts. */
struct csv_rec {
    size_t nfields;
    const char **fields;
    size_t line;
};

/* Open path for reading. Returns a reader (close with csv_in_close), or NULL with err
 * ("cannot open: ..."). */
struct csv_in *csv_in_open(const char *path, struct err *err);

/* Read from f (borrowed, not closed by csv_in_close); name is used in errors and must outlive
 * the reader. Never NULL. */
struct csv_in *csv_in_from_file(FILE *f, const char *name);

/* The next record into *rec. Returns 1 with a record, 0 at the end of the file, -1 with err.
 * Malformed CSV (libcsv's strict mode) is located at the file's physical line and character
 * column (1-based) of the offending character, and the message names the field's number in
 * its record: a quote inside an unquoted field ("f.csv:3:4: error: malformed CSV in field 2: a
 * quote inside an unquoted field ..."), text after the closing quote of a quoted field (also
 * saying where that field starts), a quoted field still open at the end of the file (located
 * at its opening quote). Every record must have as many fields as the first one (the header;
 * RFC 4180 2.4): one with more is refused at the character where its first extra field starts
 * ("f.csv:4:7: error: too many fields: 4, the header has 3 (field 4 starts here)"), one with
 * fewer just after its last character ("too few fields: 2, the header has 3 (the record ends
 * here)"); the error is returned again by later calls. A read error names the file only ("read
 * error after line N: ..."). Empty lines are skipped (libcsv reports no record for them). */
int csv_in_next(struct csv_in *r, struct csv_rec *rec, struct err *err);

/* Close the file (if csv_in_open opened it) and free the reader. NULL is a no-op. */
void csv_in_close(struct csv_in *r);

/* Index of the field equal to name in rec (typically the header), or -1. */
int csv_in_find(const struct csv_rec *rec, const char *name);

/* Parse field text as a number: 1 and *out set when text is a finite number written whole
 * ("12", "1.5e-3"), 0 and *out = NAN when text is empty, -1 otherwise. */
int csv_in_number(const char *text, double *out);

#endif
