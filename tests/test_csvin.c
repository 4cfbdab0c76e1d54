/*
 * Tests for the CSV readers of sim/run: csv_in (libcsv records: quoting, line breaks in
 * fields, CRLF, a last line without LF, strict errors with their line), csv_out_record's
 * quoting round trip, merge (shards put back together: order, recomputed means against
 * hand-computed values, byte-identity with the in-memory writer, duplicates and gaps
 * refused) and compare (a side read from a hand-made timeseries and summary, differences
 * and CI membership computed by hand).
 */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "csv_in.h"
#include "csv_out.h"
#include "merge.h"
#include "xmalloc.h"

void test_csvin_register(void);

static char tmpdir[64];

static int suite_init(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/archsim-csvin.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int suite_clean(void) {
    char cmd[128];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (getenv("KEEP")) return 0;
    return system(cmd) == 0 ? 0 : -1;
}

/* Write text to tmpdir/name; returns the path (static buffer per call site is fine here). */
static const char *put_file(const char *name, const char *text, char *path, size_t n) {
    FILE *f;

    snprintf(path, n, "%s/%s", tmpdir, name);
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_records(void) {
    static const char text[] = "a,b,c\n"
                               "1,\"x,y\",3\n"
                               "\n"
                               "\"he said \"\"hi\"\"\",,\r\n"
                               "\"multi\nline\",2,3\n"
                               "last,1,2"; /* no LF at the end */
    FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
    struct csv_in *in = csv_in_from_file(f, "mem.csv");
    struct csv_rec r;
    struct err err;

    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(csv_in_next(in, &r, &err), 1);
    CU_ASSERT_EQUAL(r.nfields, 3);
    CU_ASSERT_STRING_EQUAL(r.fields[2], "c");
    CU_ASSERT_EQUAL(r.line, 1);
    CU_ASSERT_EQUAL(csv_in_find(&r, "b"), 1);
    CU_ASSERT_EQUAL(csv_in_find(&r, "z"), -1);
    CU_ASSERT_EQUAL_FATAL(csv_in_next(in, &r, &err), 1);
    CU_ASSERT_EQUAL(r.nfields, 3);
    CU_ASSERT_STRING_EQUAL(r.fields[1], "x,y");
    CU_ASSERT_EQUAL(r.line, 2);
    /* the empty line 3 gives no record */
    CU_ASSERT_EQUAL_FATAL(csv_in_next(in, &r, &err), 1);
    CU_ASSERT_EQUAL(r.nfields, 3);
    CU_ASSERT_STRING_EQUAL(r.fields[0], "he said \"hi\"");
    CU_ASSERT_STRING_EQUAL(r.fields[1], "");
    CU_ASSERT_STRING_EQUAL(r.fields[2], "");
    CU_ASSERT_EQUAL(r.line, 4);
    CU_ASSERT_EQUAL_FATAL(csv_in_next(in, &r, &err), 1);
    CU_ASSERT_STRING_EQUAL(r.fields[0], "multi\nline");
    CU_ASSERT_STRING_EQUAL(r.fields[2], "3");
    CU_ASSERT_EQUAL_FATAL(csv_in_next(in, &r, &err), 1);
    CU_ASSERT_STRING_EQUAL(r.fields[0], "last");
    CU_ASSERT_STRING_EQUAL(r.fields[2], "2");
    CU_ASSERT_EQUAL(r.line, 7);
    CU_ASSERT_EQUAL(csv_in_next(in, &r, &err), 0);
    CU_ASSERT_EQUAL(csv_in_next(in, &r, &err), 0);
    csv_in_close(in);
    fclose(f);
}

static void test_errors(void) {
    static const char stray[] = "a,b\n1,2\n3,x\"y\n";
    static const char open_quote[] = "a\n\"abc\n";
    FILE *f = fmemopen((void *)stray, sizeof stray - 1, "r");
    struct csv_in *in = csv_in_from_file(f, "bad.csv");
    struct csv_rec r;
    struct err err;
    char path[256];

    err_clear(&err);
    CU_ASSERT_EQUAL(csv_in_next(in, &r, &err), 1);
    CU_ASSERT_EQUAL(csv_in_next(in, &r, &err), 1);
    CU_ASSERT_EQUAL(csv_in_next(in, &r, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.file, "bad.csv");
    CU_ASSERT_EQUAL(err.line, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "malformed CSV"));
    csv_in_close(in);
    fclose(f);

    f = fmemopen((void *)open_quote, sizeof open_quote - 1, "r");
    in = csv_in_from_file(f, "open.csv");
    CU_ASSERT_EQUAL(csv_in_next(in, &r, &err), 1);
    CU_ASSERT_EQUAL(csv_in_next(in, &r, &err), -1); /* unterminated at the end */
    csv_in_close(in);
    fclose(f);

    snprintf(path, sizeof path, "%s/missing.csv", tmpdir);
    CU_ASSERT_PTR_NULL(csv_in_open(path, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot open"));
}

/* Read text to its first error; returns the printed error line in buf. */
static const char *first_error(const char *text, char *buf, size_t n) {
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    struct csv_in *in = csv_in_from_file(f, "pos.csv");
    struct csv_rec r;
    struct err err;
    int got;

    err_clear(&err);
    while ((got = csv_in_next(in, &r, &err)) > 0)
        ;
    CU_ASSERT_EQUAL(got, -1);
    csv_in_close(in);
    fclose(f);
    return err_format(&err, buf, n);
}

/* Errors point at the offending character (line and character column) and name the field
 * (they once said column 0). */
static void test_error_positions(void) {
    char buf[512];

    /* a quote inside an unquoted field: at the quote, field 2 */
    CU_ASSERT_STRING_EQUAL(first_error("a,b,c\n1,2,3\n4,x\"y,6\n", buf, sizeof buf),
                           "pos.csv:3:4: error: malformed CSV in field 2: a quote inside an "
                           "unquoted field (quote the whole field and double the quote: \"a "
                           "\"\"b\"\"\")");
    /* text after a closing quote, with where the quoted field began */
    CU_ASSERT_STRING_EQUAL(first_error("a,b,c\n1,\"ab\"x,3\n", buf, sizeof buf),
                           "pos.csv:2:7: error: malformed CSV in field 2: 'x' after the closing "
                           "quote of the quoted field that starts at 2:3 (expected ',' or the end "
                           "of the line)");
    /* columns count characters, not bytes; leading spaces are skipped as libcsv does */
    CU_ASSERT_STRING_EQUAL(
        first_error("a,b,c\n\xc3\xa9,  \"\xc3\xa9\"\xc3\xa9,3\n", buf, sizeof buf),
        "pos.csv:2:8: error: malformed CSV in field 2: '\xc3\xa9' after the "
        "closing quote of the quoted field that starts at 2:5 (expected ',' or "
        "the end of the line)");
    /* a quoted field spanning lines, then a stray quote after its end on the next line */
    CU_ASSERT_STRING_EQUAL(first_error("a,b,c\n1,\"a\nb\" \",3\n", buf, sizeof buf),
                           "pos.csv:3:4: error: malformed CSV in field 2: a quote after the "
                           "closing quote of the quoted field that starts at 2:3");
    /* doubled quotes and CRLF before the error do not shift the count */
    CU_ASSERT_STRING_EQUAL(first_error("a,b\r\n\"x\"\"y\",2\r\n,,z\"\r\n", buf, sizeof buf),
                           "pos.csv:3:4: error: malformed CSV in field 3: a quote inside an "
                           "unquoted field (quote the whole field and double the quote: \"a "
                           "\"\"b\"\"\")");
    /* a quoted field open at the end: at its opening quote */
    CU_ASSERT_STRING_EQUAL(first_error("a,b,c\n1,2,\"abc\nmore\n", buf, sizeof buf),
                           "pos.csv:2:5: error: malformed CSV in field 3: the quoted field that "
                           "starts here is not closed at the end of the file (a quote is missing)");
}

/* Every record has the header's number of fields (RFC 4180 2.4); a ragged one was handed out
 * as it was, and each reader (the empirical loader, compare, merge) had or lacked its own check.
 * Too many: at the first extra field; too few: just after the record's last character. */
static void test_ragged(void) {
    char buf[512];

    CU_ASSERT_STRING_EQUAL(first_error("a,b,c\n1,2,3\n4,5,6,7\n", buf, sizeof buf),
                           "pos.csv:3:7: error: too many fields: 4, the header has 3 (field 4 "
                           "starts here)");
    CU_ASSERT_STRING_EQUAL(first_error("a,b,c\n1,2,3\n4,5\n7,8,9\n", buf, sizeof buf),
                           "pos.csv:3:4: error: too few fields: 2, the header has 3 (the record "
                           "ends here)");
    /* an empty last field counts; CRLF; characters, not bytes */
    CU_ASSERT_STRING_EQUAL(first_error("a,b\r\n\xc3\xa9,\xc3\xa9,\r\n", buf, sizeof buf),
                           "pos.csv:2:5: error: too many fields: 3, the header has 2 (field 3 "
                           "starts here)");
    /* a quoted line break in the record; the extra field on its second line */
    CU_ASSERT_STRING_EQUAL(first_error("a,b\n\"x\ny\",2,3\n", buf, sizeof buf),
                           "pos.csv:3:6: error: too many fields: 3, the header has 2 (field 3 "
                           "starts here)");
    /* a last record without a line break; a one-field record among two-field ones */
    CU_ASSERT_STRING_EQUAL(first_error("a,b\n1,2\n\n3", buf, sizeof buf),
                           "pos.csv:4:2: error: too few fields: 1, the header has 2 (the record "
                           "ends here)");
    /* empty lines are no records, so not too short */
    {
        static const char text[] = "a,b\n\n1,2\n   \n3,4\n";
        FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
        struct csv_in *in = csv_in_from_file(f, "ok.csv");
        struct csv_rec r;
        struct err err;
        int n = 0, got;

        err_clear(&err);
        while ((got = csv_in_next(in, &r, &err)) > 0)
            n++;
        CU_ASSERT_EQUAL(got, 0);
        CU_ASSERT_EQUAL(n, 3);
        csv_in_close(in);
        fclose(f);
    }
    /* the error stays: a second call returns it again */
    {
        static const char text[] = "a\n1,2\n3\n";
        FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
        struct csv_in *in = csv_in_from_file(f, "again.csv");
        struct csv_rec r;
        struct err err;

        err_clear(&err);
        CU_ASSERT_EQUAL(csv_in_next(in, &r, &err), 1);
        CU_ASSERT_EQUAL(csv_in_next(in, &r, &err), -1);
        CU_ASSERT_EQUAL(err.line, 2);
        CU_ASSERT_EQUAL(err.col, 3);
        CU_ASSERT_EQUAL(csv_in_next(in, &r, &err), -1);
        csv_in_close(in);
        fclose(f);
    }
}

static void test_numbers_and_roundtrip(void) {
    const char *fields[] = {"plain", "with,comma", "say \"x\"", "", "two\nlines", "1e-05"};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct csv_in *in;
    struct csv_rec r;
    struct err err;
    double v;

    CU_ASSERT_EQUAL(csv_in_number("12", &v), 1);
    CU_ASSERT_DOUBLE_EQUAL(v, 12, 0);
    CU_ASSERT_EQUAL(csv_in_number("0.899845685", &v), 1);
    CU_ASSERT_DOUBLE_EQUAL(v, 0.899845685, 0);
    CU_ASSERT_EQUAL(csv_in_number("", &v), 0);
    CU_ASSERT(isnan(v));
    CU_ASSERT_EQUAL(csv_in_number("12ms", &v), -1);
    CU_ASSERT_EQUAL(csv_in_number("nan", &v), -1);

    csv_out_record(f, fields, 6);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(buf, "plain,\"with,comma\",\"say \"\"x\"\"\",,\"two\nlines\",1e-05\n");
    f = fmemopen(buf, len, "r");
    in = csv_in_from_file(f, "rt.csv");
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(csv_in_next(in, &r, &err), 1);
    CU_ASSERT_EQUAL_FATAL(r.nfields, 6);
    for (size_t i = 0; i < 6; i++)
        CU_ASSERT_STRING_EQUAL(r.fields[i], fields[i]);
    csv_in_close(in);
    fclose(f);
    free(buf);
}

/* --- merge ------------------------------------------------------------------------------- */

/* A replication of a two-component model with hand-picked numbers: throughput tput at both
 * rows, mean latency lat at the total row, utilization 1/3-ish at the service. */
static void make_rep(struct run_rep *r, unsigned k, double tput, double lat) {
    memset(r, 0, sizeof *r);
    r->replication = k;
    r->seed = 1000 + k;
    r->nrows = 2;
    r->rows = xcalloc(2, sizeof *r->rows);
    for (size_t i = 0; i < 2; i++) {
        struct model_row *m = &r->rows[i];
        m->component = xstrdup(i ? "total" : "api,1"); /* a comma: quoted in the file */
        m->kind = xstrdup(i ? "workload" : "service");
        m->arrivals = m->completions = (uint64_t)(tput * 10);
        m->throughput_rps = tput;
        m->goodput_rps = NAN;
        m->error_rate = 0;
        m->latency_mean_ms = m->latency_p50_ms = m->latency_p90_ms = m->latency_p99_ms =
            m->latency_p999_ms = m->latency_max_ms = lat;
        m->utilization = i ? NAN : tput / 300.0;
        m->queue_mean = i ? NAN : 0.1 * k;
        for (int x = 0; x < MX_COUNT; x++)
            m->extra[x] = NAN;
    }
    r->events = 100 + k;
    r->sim_time_s = 10;
    r->wall_s = 0.001;
    r->warmup_s = 1 + k;
    csv_out_canonical(r);
}

static const char *write_summary(const char *name, struct run_rep *reps, const unsigned *which,
                                 size_t n, int mean, char *path, size_t pn) {
    FILE *f;

    snprintf(path, pn, "%s/%s", tmpdir, name);
    CU_ASSERT_FATAL(mkdir(path, 0777) == 0 || 1);
    strncat(path, "/summary.csv", pn - strlen(path) - 1);
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    csv_out_summary_header(f);
    for (size_t i = 0; i < n; i++)
        csv_out_summary_rep(f, "demo", &reps[which[i]]);
    if (mean) csv_out_summary_mean(f, "demo", reps, n);
    fclose(f);
    return path;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "r");
    char *buf;
    long n;

    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = xcalloc((size_t)n + 1, 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) n = 0;
    fclose(f);
    return buf;
}

static void test_merge_summary(void) {
    struct run_rep reps[3];
    const unsigned all[] = {0, 1, 2}, sh0[] = {0, 2}, sh1[] = {1};
    char p_full[512], p0[512], p1[512], p_out[512];
    const char *paths[2];
    struct run_merge_info info;
    struct err err;
    FILE *out;
    char *want, *got;

    /* Throughput 100, 110, 120 + 1/3: mean 110 + 1/3, sd 10, 95 % half-width
     * t(0.975, 2) 10 / sqrt(3) = 4.302652729749464 x 5.773502691896258 = 24.8413771. */
    make_rep(&reps[0], 0, 100 + 1.0 / 3, 2.5);
    make_rep(&reps[1], 1, 110 + 1.0 / 3, 3.5);
    make_rep(&reps[2], 2, 120 + 1.0 / 3, 4.5);
    write_summary("full", reps, all, 3, 1, p_full, sizeof p_full);
    write_summary("sh1", reps, sh1, 1, 0, p1, sizeof p1);
    write_summary("sh0", reps, sh0, 2, 1, p0, sizeof p0); /* its own means: dropped */
    snprintf(p_out, sizeof p_out, "%s/merged.csv", tmpdir);
    out = fopen(p_out, "w");
    paths[0] = p1; /* order of the inputs does not matter */
    paths[1] = p0;
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(run_merge_summary(paths, 2, 3, out, &info, &err), 0);
    fclose(out);
    CU_ASSERT_EQUAL(info.units, 3);
    CU_ASSERT_EQUAL(info.points, 1);
    CU_ASSERT_EQUAL(info.sweep, 0);
    want = slurp(p_full);
    got = slurp(p_out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got, want);
    /* The mean row's numbers, against the hand computation. */
    {
        struct csv_in *in = csv_in_open(p_out, &err);
        struct csv_rec r;
        int ct = -1, cci = -1, crep = -1, ccomp = -1, cw = -1, found = 0;
        double v;
        CU_ASSERT_EQUAL_FATAL(csv_in_next(in, &r, &err), 1);
        ct = csv_in_find(&r, "throughput_rps");
        cci = csv_in_find(&r, "throughput_rps_ci95");
        crep = csv_in_find(&r, "replication");
        ccomp = csv_in_find(&r, "component");
        cw = csv_in_find(&r, "warmup_s");
        while (csv_in_next(in, &r, &err) == 1) {
            if (strcmp(r.fields[crep], "mean") || strcmp(r.fields[ccomp], "total")) continue;
            found = 1;
            CU_ASSERT_EQUAL(csv_in_number(r.fields[ct], &v), 1);
            CU_ASSERT_DOUBLE_EQUAL(v, 110 + 1.0 / 3, 1e-6);
            CU_ASSERT_EQUAL(csv_in_number(r.fields[cci], &v), 1);
            CU_ASSERT_DOUBLE_EQUAL(v, 24.8413771, 1e-6);
            CU_ASSERT_EQUAL(csv_in_number(r.fields[cw], &v), 1);
            CU_ASSERT_DOUBLE_EQUAL(v, 2.0, 1e-12); /* warm-ups 1, 2, 3 */
        }
        CU_ASSERT(found);
        csv_in_close(in);
    }
    free(want);
    free(got);

    /* The same shard twice: a duplicate key. A missing replication: a gap. */
    paths[0] = p0;
    paths[1] = p0;
    out = fopen(p_out, "w");
    CU_ASSERT_EQUAL(run_merge_summary(paths, 2, 0, out, &info, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "replication 0 also in"));
    fclose(out);
    out = fopen(p_out, "w");
    CU_ASSERT_EQUAL(run_merge_summary(paths, 1, 0, out, &info, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "replication 1 is missing"));
    fclose(out);
    /* Promised 4 units by the manifests, 3 found. */
    paths[0] = p0;
    paths[1] = p1;
    out = fopen(p_out, "w");
    CU_ASSERT_EQUAL(run_merge_summary(paths, 2, 4, out, &info, &err), -1);
    fclose(out);
    for (int k = 0; k < 3; k++)
        run_rep_free(&reps[k]);
}

static void test_manifests(void) {
    char d0[256], d1[256];
    const char *dirs[2] = {d0, d1};
    struct run_shard s0 = {0, 2}, s1 = {1, 2};
    struct run_merge_info info;
    struct err err;
    size_t units = 99;

    snprintf(d0, sizeof d0, "%s/m0", tmpdir);
    snprintf(d1, sizeof d1, "%s/m1", tmpdir);
    CU_ASSERT_FATAL(mkdir(d0, 0777) == 0 && mkdir(d1, 0777) == 0);
    memset(&info, 0, sizeof info);
    /* No manifests anywhere: accepted, units unknown. */
    CU_ASSERT_EQUAL(run_merge_check_manifests(dirs, 2, &units, &info, &err), 0);
    CU_ASSERT_EQUAL(units, 0);
    CU_ASSERT_EQUAL(run_merge_write_manifest(d0, &s0, 7, "demo", &err), 0);
    /* One has one, the other not. */
    CU_ASSERT_EQUAL(run_merge_check_manifests(dirs, 2, &units, &info, &err), -1);
    CU_ASSERT_EQUAL(run_merge_write_manifest(d1, &s1, 7, "demo", &err), 0);
    CU_ASSERT_EQUAL(run_merge_check_manifests(dirs, 2, &units, &info, &err), 0);
    CU_ASSERT_EQUAL(units, 7);
    CU_ASSERT_EQUAL(info.shards, 2);
    /* Shard 1 missing. */
    CU_ASSERT_EQUAL(run_merge_check_manifests(dirs, 1, &units, &info, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "shard 1/2 is missing"));
    /* Another batch's shard. */
    CU_ASSERT_EQUAL(run_merge_write_manifest(d1, &s1, 8, "demo", &err), 0);
    CU_ASSERT_EQUAL(run_merge_check_manifests(dirs, 2, &units, &info, &err), -1);
}

/* --- compare ----------------------------------------------------------------------------- */

static void test_compare(void) {
    /* Timeseries: the warm-up interval is skipped; then [1,2): 100 done, mean 2, p99 5,
     * 20 rejected; [2,4): 300 done, mean 4, p99 9.
     *   throughput = 400 / 3 s = 133.333..., mean = (100x2 + 300x4) / 400 = 3.5,
     *   p99 = (100x5 + 300x9) / 400 = 8, error rate = 20 / 420. */
    static const char ts[] =
        "scenario,replication,seed,t_start_s,t_end_s,in_warmup,component,kind,completions,"
        "rejected,errors,throughput_rps,error_rate,latency_mean_ms,latency_p99_ms\n"
        "x,0,1,0,1,1,api,service,10,0,0,10,0,100,100\n"
        "x,0,1,1,2,0,api,service,100,20,0,100,0.166666667,2,5\n"
        "x,0,1,2,4,0,api,service,300,0,0,150,0,4,9\n";
    /* Summary with three replications: throughput 100, 110, 120 (mean 110, half 24.841...),
     * mean latency 3, 3, 3 (half 0); one mean row, which is ignored when replication rows
     * exist; a component B lacks. */
    static const char sum[] = "replication,component,throughput_rps,latency_mean_ms\n"
                              "0,api,100,3\n"
                              "0,db,5,1\n"
                              "1,api,110,3\n"
                              "1,db,5,1\n"
                              "2,api,120,3\n"
                              "2,db,5,1\n"
                              "mean,api,999,999\n";
    static const char only_means[] =
        "replication,component,throughput_rps,throughput_rps_ci95,latency_mean_ms\n"
        "mean,api,110,2,3\n";
    char pa[512], pb[512], pc[512], want[700];
    struct run_side a, b, c;
    const struct run_side_comp *ca, *cb;
    struct run_cmp r;
    struct err err;

    err_clear(&err);
    put_file("ts.csv", ts, pb, sizeof pb);
    put_file("sum.csv", sum, pa, sizeof pa);
    put_file("means.csv", only_means, pc, sizeof pc);
    CU_ASSERT_EQUAL_FATAL(run_side_load(pa, &a, &err), 0);
    CU_ASSERT_EQUAL_FATAL(run_side_load(pb, &b, &err), 0);
    CU_ASSERT_EQUAL_FATAL(run_side_load(pc, &c, &err), 0);
    CU_ASSERT_EQUAL(b.timeseries, 1);
    CU_ASSERT_EQUAL(b.intervals, 2);
    CU_ASSERT_EQUAL(a.replications, 3);
    CU_ASSERT_EQUAL(a.ncomps, 2);
    cb = run_side_find(&b, "api");
    CU_ASSERT_PTR_NOT_NULL_FATAL(cb);
    CU_ASSERT_DOUBLE_EQUAL(cb->m[CMP_THROUGHPUT].mean, 400.0 / 3, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(cb->m[CMP_LAT_MEAN].mean, 3.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(cb->m[CMP_LAT_P99].mean, 8, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(cb->m[CMP_ERROR_RATE].mean, 20.0 / 420, 1e-12);
    CU_ASSERT(isnan(cb->m[CMP_LAT_P50].mean)); /* no such column */
    CU_ASSERT(isnan(cb->m[CMP_THROUGHPUT].half));
    ca = run_side_find(&a, "api");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
    CU_ASSERT_DOUBLE_EQUAL(ca->m[CMP_THROUGHPUT].mean, 110, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(ca->m[CMP_THROUGHPUT].half, 24.8413771, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(ca->m[CMP_LAT_MEAN].half, 0, 0);
    CU_ASSERT_PTR_NULL(run_side_find(&b, "db"));
    /* B - A = 23.333..., relative 0.21212..., inside A's interval (23.3 <= 24.8); A's value
     * against B: B has no interval. */
    run_cmp_pair(&ca->m[CMP_THROUGHPUT], &cb->m[CMP_THROUGHPUT], &r);
    CU_ASSERT_DOUBLE_EQUAL(r.abs, 400.0 / 3 - 110, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.rel, (400.0 / 3 - 110) / 110, 1e-12);
    CU_ASSERT_EQUAL(r.b_in_a, 1);
    CU_ASSERT_EQUAL(r.a_in_b, -1);
    /* Mean latency: 3.5 vs 3 ± 0: outside. */
    run_cmp_pair(&ca->m[CMP_LAT_MEAN], &cb->m[CMP_LAT_MEAN], &r);
    CU_ASSERT_EQUAL(r.b_in_a, 0);
    CU_ASSERT_DOUBLE_EQUAL(r.rel, 0.5 / 3, 1e-12);
    /* A file of mean rows only: their values and _ci95. */
    CU_ASSERT_EQUAL(c.mean_rows, 1);
    CU_ASSERT_DOUBLE_EQUAL(run_side_find(&c, "api")->m[CMP_THROUGHPUT].half, 2, 0);
    CU_ASSERT(isnan(run_side_find(&c, "api")->m[CMP_LAT_MEAN].half));
    /* Zero reference. */
    {
        struct run_est z = {0, NAN, 1}, nz = {1, NAN, 1};
        run_cmp_pair(&z, &z, &r);
        CU_ASSERT_DOUBLE_EQUAL(r.rel, 0, 0);
        run_cmp_pair(&z, &nz, &r);
        CU_ASSERT(isinf(r.rel));
    }
    run_side_free(&a);
    run_side_free(&b);
    run_side_free(&c);
    /* Two points of a sweep in one file: refused. */
    {
        static const char sweep[] =
            "point,vary,component,throughput_rps\n0,a=1,api,1\n1,a=2,api,2\n";
        put_file("sweep.csv", sweep, pa, sizeof pa);
        CU_ASSERT_EQUAL(run_side_load(pa, &a, &err), -1);
        CU_ASSERT_EQUAL(err.line, 3);
    }
    /* A ragged row (it was read, its extra value ignored): refused at its line and column. */
    {
        static const char ragged[] = "replication,component,throughput_rps\n"
                                     "0,api,100\n"
                                     "1,api,110,7\n";
        char msg[600];

        put_file("ragged.csv", ragged, pa, sizeof pa);
        CU_ASSERT_EQUAL(run_side_load(pa, &a, &err), -1);
        snprintf(want, sizeof want,
                 "%s:3:11: error: too many fields: 4, the header has 3 (field 4 starts here)", pa);
        CU_ASSERT_STRING_EQUAL(err_format(&err, msg, sizeof msg), want);
    }
}

void test_csvin_register(void) {
    CU_pSuite s = CU_add_suite("csvin", suite_init, suite_clean);
    CU_add_test(s, "records, quotes, line breaks, CRLF, no final LF", test_records);
    CU_add_test(s, "strict errors with their line", test_errors);
    CU_add_test(s, "errors at the bad field's line and column", test_error_positions);
    CU_add_test(s, "ragged records: too many or too few fields", test_ragged);
    CU_add_test(s, "numbers and the quoting round trip", test_numbers_and_roundtrip);
    CU_add_test(s, "merge: order, means by hand, byte-identity, refusals", test_merge_summary);
    CU_add_test(s, "merge: shard manifests", test_manifests);
    CU_add_test(s, "compare: timeseries and summary sides by hand", test_compare);
}
