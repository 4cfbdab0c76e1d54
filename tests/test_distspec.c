/* Tests for sim/core/distspec: the one table of distribution functions behind the scenario's
 * "exp(5ms)" and archtarget's "exp:5ms". Each entry builds what its dist.h constructor builds,
 * the name lists (with and without aliases) are exact, lognormal's two parameter sets exclude
 * each other, unit names convert, and every entry can be written in a scenario (so an entry
 * added here is reachable from scn_as_dist with no other edit). */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "distspec.h"
#include "scn.h"

void test_distspec_register(void);

static int same_dist(const struct dist *a, const struct dist *b) {
    if (a->kind != b->kind || a->nsamples != b->nsamples) return 0;
    for (int i = 0; i < 4; i++)
        if (a->p[i] != b->p[i] && !(isnan(a->p[i]) && isnan(b->p[i]))) return 0;
    for (size_t i = 0; i < a->nsamples; i++)
        if (a->samples[i] != b->samples[i]) return 0;
    return 1;
}

static void test_names(void) {
    const char *names[DISTSPEC_MAX_FNS + 1];
    char list[400] = "";

    CU_ASSERT_EQUAL(distspec_names(names, DISTSPEC_MAX_FNS + 1, 1), 12);
    for (size_t i = 0; names[i]; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? " " : "", names[i]);
    CU_ASSERT_STRING_EQUAL(list, "const constant exp exponential uniform normal lognormal gamma "
                                 "erlang pareto hyperexp empirical");
    CU_ASSERT_EQUAL(distspec_names(names, DISTSPEC_MAX_FNS + 1, 0), 10);
    CU_ASSERT_STRING_EQUAL(names[1], "exp");
    CU_ASSERT_PTR_NULL(names[10]);
    /* a short array is cut, still NULL-terminated */
    CU_ASSERT_EQUAL(distspec_names(names, 3, 1), 2);
    CU_ASSERT_STRING_EQUAL(names[1], "constant");
    CU_ASSERT_PTR_NULL(names[2]);

    CU_ASSERT_PTR_NULL(distspec_find("expo"));
    CU_ASSERT_PTR_NULL(distspec_find(""));
    CU_ASSERT_PTR_NOT_NULL_FATAL(distspec_find("exponential"));
    CU_ASSERT(distspec_find("exponential")->alias);
    CU_ASSERT(distspec_find("exponential")->build == distspec_find("exp")->build);
    CU_ASSERT_EQUAL(distspec_nparams(distspec_find("lognormal")), 5);
    CU_ASSERT_EQUAL(distspec_nparams(distspec_find("hyperexp")), 3);
}

static void test_parameter_sets(void) {
    const struct distspec_fn *ln = distspec_find("lognormal"), *u = distspec_find("uniform");
    char buf[160];
    int from = -1, to = -1;

    CU_ASSERT_PTR_NOT_NULL_FATAL(ln);
    CU_ASSERT_EQUAL(distspec_params(ln, 0x3, &from, &to), 0); /* mean, p99 */
    CU_ASSERT(from == 0 && to == 2);
    CU_ASSERT_EQUAL(distspec_params(ln, 0x4, &from, &to), 0); /* mu alone: its set, to check */
    CU_ASSERT(from == 2 && to == 5);
    CU_ASSERT_EQUAL(distspec_params(ln, 0, &from, &to), 0); /* nothing: the first set */
    CU_ASSERT(from == 0 && to == 2);
    CU_ASSERT_EQUAL(distspec_params(ln, 0x5, &from, &to), -1); /* mean and mu */
    CU_ASSERT_STRING_EQUAL(distspec_either(ln, buf, sizeof buf),
                           "give either mean and p99, or mu, sigma and unit");
    CU_ASSERT_STRING_EQUAL(distspec_either(ln, buf, 16), "give either mea");
    CU_ASSERT_EQUAL(distspec_params(u, 0x1, &from, &to), 0);
    CU_ASSERT(from == 0 && to == 2);
}

static void test_units(void) {
    double ns = 0;

    CU_ASSERT(distspec_unit_ns("ms", &ns) == 0 && ns == 1e6);
    CU_ASSERT(distspec_unit_ns("ns", &ns) == 0 && ns == 1);
    CU_ASSERT(distspec_unit_ns("h", &ns) == 0 && ns == 3600e9);
    ns = 7;
    CU_ASSERT_EQUAL(distspec_unit_ns("", &ns), -1);
    CU_ASSERT_EQUAL(distspec_unit_ns("5ms", &ns), -1);
    CU_ASSERT_EQUAL(distspec_unit_ns("m s", &ns), -1);
    CU_ASSERT_EQUAL(distspec_unit_ns("xs", &ns), -1);
    CU_ASSERT_EQUAL(distspec_unit_ns("mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm", &ns), -1);
    CU_ASSERT_EQUAL(ns, 7);
}

/* Each build function calls its constructor with the converted values. */
static void test_builds(void) {
    struct distspec_args a;
    struct dist got, want;
    struct err e;

#define BUILD(name) CU_ASSERT_EQUAL(distspec_find(name)->build(&got, &a, &e), 0)
    memset(&a, 0, sizeof a);
    a.given = 0x3;
    a.num[0] = 2e6;
    a.num[1] = 5e6;
    BUILD("uniform");
    dist_uniform(&want, 2e6, 5e6, NULL);
    CU_ASSERT(same_dist(&got, &want));
    BUILD("normal");
    dist_normal(&want, 2e6, 5e6, NULL);
    CU_ASSERT(same_dist(&got, &want));
    BUILD("lognormal"); /* mean 2ms, p99 5ms */
    dist_lognormal_mean_p99(&want, 2e6, 5e6, NULL);
    CU_ASSERT(same_dist(&got, &want));
    BUILD("exp");
    dist_exp(&want, 2e6, NULL);
    CU_ASSERT(same_dist(&got, &want));
    BUILD("const");
    dist_const(&want, 2e6, NULL);
    CU_ASSERT(same_dist(&got, &want));
    a.num[0] = 3;
    BUILD("erlang");
    dist_gamma(&want, 3, 5e6, NULL);
    CU_ASSERT(same_dist(&got, &want));
    BUILD("pareto");
    dist_pareto(&want, 3, 5e6, NULL);
    CU_ASSERT(same_dist(&got, &want));
    a.num[0] = 0.25;
    a.num[2] = 9e6;
    BUILD("hyperexp");
    dist_hyperexp(&want, 0.25, 5e6, 9e6, NULL);
    CU_ASSERT(same_dist(&got, &want));
    /* lognormal(mu=1, sigma=0.5, unit=ms): ln of the value in ms, so mu + ln(1e6) in ns */
    memset(&a, 0, sizeof a);
    a.given = 0x1c;
    a.num[2] = 1;
    a.num[3] = 0.5;
    a.num[4] = 1e6;
    BUILD("lognormal");
    dist_lognormal_mu_sigma(&want, 1 + log(1e6), 0.5, NULL);
    CU_ASSERT(same_dist(&got, &want));
    /* the constructor's own complaint comes back */
    memset(&a, 0, sizeof a);
    a.num[0] = -1;
    CU_ASSERT_EQUAL(distspec_find("exp")->build(&got, &a, &e), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "mean"));
#undef BUILD
}

/* Every entry, written with its positional parameters in a scenario, parses, and builds what
 * the entry's build function builds from the same values: the scenario language takes its
 * names and parameters from the table alone. */
static void test_every_entry_in_a_scenario(void) {
    static const char csv[] = "x_ms\n1\n3\n";
    const char *names[DISTSPEC_MAX_FNS + 1];
    char path[] = "/tmp/test_distspec_XXXXXX", text[512];
    int fd = mkstemp(path);

    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, csv, sizeof csv - 1) == (ssize_t)(sizeof csv - 1));
    close(fd);
    distspec_names(names, DISTSPEC_MAX_FNS + 1, 1);
    for (size_t i = 0; names[i]; i++) {
        const struct distspec_fn *f = distspec_find(names[i]);
        struct distspec_args a;
        struct dist got, want;
        struct err e;
        struct scn_doc *doc;
        size_t off;
        int from, to;

        memset(&a, 0, sizeof a);
        distspec_params(f, 0, &from, &to);
        off = (size_t)snprintf(text, sizeof text, "v: \"%s(", f->name);
        for (int k = from; k < to; k++) {
            const char *v = "";
            a.given |= 1u << k;
            switch (f->kinds[k]) {
                case DISTSPEC_DURATION:
                    v = k == from ? "2ms" : "4ms";
                    a.num[k] = k == from ? 2e6 : 4e6;
                    break;
                case DISTSPEC_NUMBER:
                case DISTSPEC_WHOLE:
                    v = "3";
                    a.num[k] = 3;
                    break;
                case DISTSPEC_FRACTION:
                    v = "25%";
                    a.num[k] = 0.25;
                    break;
                case DISTSPEC_UNIT:
                    v = "ms";
                    a.num[k] = 1e6;
                    break;
                case DISTSPEC_FILE:
                    v = path;
                    a.text[k] = path;
                    break;
                case DISTSPEC_TEXT:
                    v = "x_ms";
                    a.text[k] = "x_ms";
                    break;
            }
            off += (size_t)snprintf(text + off, sizeof text - off, "%s%s=%s", k == from ? "" : ", ",
                                    f->params[k], v);
        }
        snprintf(text + off, sizeof text - off, ")\"\n");
        err_clear(&e);
        doc = scn_doc_parse(text, strlen(text), "t.yaml", &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
        if (scn_as_dist(scn_map_get(scn_doc_root(doc), "v"), ".", &got, &e) != 0) {
            char buf[400];
            printf("\n  %s: %s\n", text, err_format(&e, buf, sizeof buf));
            CU_FAIL("an entry of the table does not parse in a scenario");
        } else {
            CU_ASSERT_EQUAL_FATAL(f->build(&want, &a, &e), 0);
            CU_ASSERT(same_dist(&got, &want));
            dist_free(&got);
            dist_free(&want);
        }
        scn_doc_free(doc);
    }
    unlink(path);
}

void test_distspec_register(void) {
    CU_pSuite s = CU_add_suite("distspec", NULL, NULL);

    CU_add_test(s, "names, aliases, lookup", test_names);
    CU_add_test(s, "lognormal's two parameter sets", test_parameter_sets);
    CU_add_test(s, "unit names", test_units);
    CU_add_test(s, "build functions call their constructors", test_builds);
    CU_add_test(s, "every entry parses in a scenario", test_every_entry_in_a_scenario);
}
