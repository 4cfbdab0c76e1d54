/*
 * hdrlog — HdrHistogram interval logs (--hdr-log FILE), the format of the Java
 * HistogramLogWriter (log format version 1.3), readable by HistogramLogReader,
 * HdrHistogram's HistogramLogProcessor and the HdrHistogram plotter:
 *
 *   #[Histogram log format version 1.3]
 *   #[StartTime: 1700000000.000 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]
 *   #[BaseTime: 1700000000.000 (seconds since epoch)]
 *   "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
 *   0.000,1.000,2.769,HISTFAAAAEV4...
 *
 * One line per interval: start (s since BaseTime), length (s), the interval's max in ms
 * (values are ns; the Java writer's default max-value unit ratio 10^6), and the histogram in
 * HdrHistogram's V2 compressed encoding, base64: cookie 0x1c849314, the compressed length,
 * then a zlib stream of the V2 encoding (cookie 0x1c849313, payload length, normalizing index
 * offset 0, significant digits 3, lowest 1, highest 3.6e12, conversion ratio 1.0, then the
 * counts up to the max value's index as ZigZag LEB128 varints, a run of k > 1 zeros written
 * as -k). Counter i of struct hist is HdrHistogram's counts[i] (hist.h), so the counts are
 * written as they are. Histograms from --segment runs can be added by any HdrHistogram
 * reader: the merge is exact.
 *
 * Design: the zlib stream uses stored (uncompressed) deflate blocks with the Adler-32
 * trailer — a valid zlib stream every inflater reads — so no compression library is needed.
 * The counts' varint encoding is already compact (a typical interval is a few hundred bytes).
 * Rejected: linking zlib for real compression (one more dependency for ~2x on small lines);
 * the C library's log format variant (version 1.2, no BaseTime; fewer tools read it).
 */
#ifndef ARCHSIM_HDRLOG_H
#define ARCHSIM_HDRLOG_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "hist.h"

struct hdrlog;

/* Create path and write the header; start_epoch_s is the run's start (CLOCK_REALTIME s), also
 * the BaseTime. Returns NULL with err when the file cannot be created. Close with
 * hdrlog_close. */
struct hdrlog *hdrlog_open(const char *path, double start_epoch_s, struct err *err);

/* Append one interval: start_s after the base time, length_s long, histogram h (ns). */
void hdrlog_interval(struct hdrlog *l, double start_s, double length_s, const struct hist *h);

/* Flush and close; returns 0, or -1 with err on a write error. NULL is a no-op returning 0. */
int hdrlog_close(struct hdrlog *l, struct err *err);

/* The base64 text of h's compressed encoding into a new string (caller frees). */
char *hdrlog_encode(const struct hist *h);

#endif
