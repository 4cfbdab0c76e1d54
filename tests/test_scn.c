/* Tests for scn: the located tree, every load error as printed, --set, typed accessors, and the
 * distribution and key-distribution spec languages. Error texts are compared whole, as
 * err_format prints them, because they are the user interface. */
#include <CUnit/CUnit.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scn.h"

void test_scn_register(void);

static const char shop[] = "name: shop\n"                     /* 1 */
                           "components:\n"                    /* 2 */
                           "  api:\n"                         /* 3 */
                           "    workers: 4\n"                 /* 4 */
                           "    service: exp(5ms)\n"          /* 5 */
                           "    label: \"4\"\n"               /* 6 */
                           "workload:\n"                      /* 7 */
                           "  rate: 2000/s\n"                 /* 8 */
                           "  classes:\n"                     /* 9 */
                           "    - name: read\n"               /* 10 */
                           "      weight: 3\n"                /* 11 */
                           "    - {name: write, weight: 1}\n" /* 12 */
                           "  empty:\n";                      /* 13 */

static struct scn_doc *parse(const char *text) {
    struct err e;
    struct scn_doc *doc;
    char buf[600];

    err_clear(&e);
    doc = scn_doc_parse(text, strlen(text), "t.yaml", &e);
    if (!doc) fprintf(stderr, "\nunexpected: %s\n", err_format(&e, buf, sizeof buf));
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    return doc;
}

/* Parsing text must fail with exactly want. */
static void parse_fails(const char *text, size_t len, const char *want) {
    struct err e;
    char buf[600];
    struct scn_doc *doc;

    err_clear(&e);
    doc = scn_doc_parse(text, len, "t.yaml", &e);
    CU_ASSERT_PTR_NULL(doc);
    scn_doc_free(doc);
    err_format(&e, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, want);
    if (strcmp(buf, want) != 0) fprintf(stderr, "\n got: %s\nwant: %s\n", buf, want);
}

#define PARSE_FAILS(text, want) parse_fails(text, sizeof(text) - 1, want)

/* The printed form of e, compared with want (shown on mismatch). */
static void err_is(const struct err *e, const char *want) {
    char buf[600];

    err_format(e, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, want);
    if (strcmp(buf, want) != 0) fprintf(stderr, "\n got: %s\nwant: %s\n", buf, want);
}

/* Write len bytes to a new temporary file; its path goes to path (size >= 64). */
static void temp_file(const char *bytes, size_t len, char *path) {
    int fd;

    snprintf(path, 64, "/tmp/test_scn_XXXXXX");
    fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, bytes, len) == (ssize_t)len);
    close(fd);
}

/* Loading a file holding these bytes must fail with "<path><rest>". */
static void load_fails(const char *bytes, size_t len, const char *rest) {
    char path[64], want[300];
    struct err e;
    struct scn_doc *doc;

    temp_file(bytes, len, path);
    err_clear(&e);
    doc = scn_doc_load(path, &e);
    CU_ASSERT_PTR_NULL(doc);
    scn_doc_free(doc);
    snprintf(want, sizeof want, "%s%s", path, rest);
    err_is(&e, want);
    unlink(path);
}

static void test_tree(void) {
    struct scn_doc *doc = parse(shop);
    struct scn_node *root = scn_doc_root(doc), *api, *classes, *c1, *n;

    CU_ASSERT_EQUAL(root->type, SCN_MAP);
    CU_ASSERT_STRING_EQUAL(root->path, "");
    CU_ASSERT_EQUAL(root->n, 3);
    CU_ASSERT_STRING_EQUAL(root->keys[0], "name");
    CU_ASSERT_STRING_EQUAL(root->keys[1], "components");
    CU_ASSERT_STRING_EQUAL(root->keys[2], "workload");
    CU_ASSERT_EQUAL(root->key_line[2], 7);
    CU_ASSERT_EQUAL(root->key_col[2], 1);
    CU_ASSERT_STRING_EQUAL(scn_doc_dir(doc), ".");

    api = scn_map_get(scn_map_get(root, "components"), "api");
    CU_ASSERT_PTR_NOT_NULL_FATAL(api);
    CU_ASSERT_STRING_EQUAL(api->path, "components.api");
    CU_ASSERT_EQUAL(api->line, 4);
    CU_ASSERT_EQUAL(api->col, 5);
    n = scn_map_get(api, "workers");
    CU_ASSERT_EQUAL(n->type, SCN_SCALAR);
    CU_ASSERT_STRING_EQUAL(n->value, "4");
    CU_ASSERT_STRING_EQUAL(n->path, "components.api.workers");
    CU_ASSERT_STRING_EQUAL(n->file, "t.yaml");
    CU_ASSERT_EQUAL(n->line, 4);
    CU_ASSERT_EQUAL(n->col, 14);
    CU_ASSERT_FALSE(n->quoted);
    n = scn_map_get(api, "label");
    CU_ASSERT_TRUE(n->quoted);
    CU_ASSERT_EQUAL(n->col, 12);
    CU_ASSERT_EQUAL(api->key_line[2], 6);
    CU_ASSERT_EQUAL(api->key_col[2], 5);
    CU_ASSERT_PTR_NULL(scn_map_get(api, "nope"));
    CU_ASSERT_PTR_NULL(scn_map_get(n, "x")); /* not a map */
    CU_ASSERT_PTR_NULL(scn_map_get(NULL, "x"));

    classes = scn_map_get(scn_map_get(root, "workload"), "classes");
    CU_ASSERT_EQUAL_FATAL(classes->type, SCN_SEQ);
    CU_ASSERT_EQUAL_FATAL(classes->n, 2);
    CU_ASSERT_STRING_EQUAL(classes->items[0]->path, "workload.classes[0]");
    c1 = classes->items[1];
    CU_ASSERT_EQUAL(c1->type, SCN_MAP);
    CU_ASSERT_EQUAL(c1->line, 12);
    CU_ASSERT_EQUAL(c1->col, 7);
    n = scn_map_get(c1, "weight");
    CU_ASSERT_STRING_EQUAL(n->path, "workload.classes[1].weight");
    CU_ASSERT_EQUAL(n->line, 12);
    CU_ASSERT_EQUAL(n->col, 29);
    n = scn_map_get(scn_map_get(root, "workload"), "empty");
    CU_ASSERT_EQUAL(n->type, SCN_SCALAR);
    CU_ASSERT_STRING_EQUAL(n->value, "");
    scn_doc_free(doc);
    scn_doc_free(NULL);
}

static void test_located_errors(void) {
    struct scn_doc *doc = parse("components:\n  api:\n    workers: four\n    workrs: 2\n"
                                "    zzzzzz: 1\n");
    struct scn_node *api = scn_map_get(scn_map_get(scn_doc_root(doc), "components"), "api");
    static const char *const allowed[] = {"workers", "service", "queue", NULL};
    static const char *const top[] = {"components", "workload", NULL};
    long long v = 7;
    struct err e;

    CU_ASSERT_EQUAL(scn_as_int(scn_map_get(api, "workers"), 1, 100000, &v, &e), -1);
    err_is(&e, "t.yaml:3:14: error: components.api.workers: expected a whole number in "
               "[1, 100000], got 'four'");
    CU_ASSERT_EQUAL(v, 7);
    CU_ASSERT_EQUAL(scn_check_keys(api, allowed, &e), -1);
    err_is(&e, "t.yaml:4:5: error: components.api: unknown key 'workrs' (did you mean "
               "'workers'?)");
    CU_ASSERT_EQUAL(scn_check_keys(scn_doc_root(doc), top, &e), 0);
    {
        static const char *const allowed2[] = {"workers", "workrs", "service", NULL};
        CU_ASSERT_EQUAL(scn_check_keys(api, allowed2, &e), -1);
        err_is(&e, "t.yaml:5:5: error: components.api: unknown key 'zzzzzz'");
    }
    {
        static const char *const only[] = {"components", NULL};
        struct scn_doc *d2 = parse("components: {}\nworkloda: {}\n");
        CU_ASSERT_EQUAL(scn_check_keys(scn_doc_root(d2), top, &e), -1);
        err_is(&e, "t.yaml:2:1: error: unknown key 'workloda' (did you mean 'workload'?)");
        CU_ASSERT_EQUAL(scn_check_keys(scn_doc_root(d2), only, &e), -1);
        scn_doc_free(d2);
    }
    CU_ASSERT_EQUAL(scn_check_keys(scn_map_get(api, "workers"), allowed, &e), -1);
    err_is(&e, "t.yaml:3:14: error: components.api.workers: expected a map, got 'four'");
    scn_doc_free(doc);
}

static void test_load_errors(void) {
    PARSE_FAILS("a: b: c\n",
                "t.yaml:1:5: error: YAML syntax error: mapping values are not allowed in this "
                "context");
    PARSE_FAILS("a:\n  - 1\n  - [2, 3\n",
                "t.yaml:4:1: error: YAML syntax error: did not find expected ',' or ']' (while "
                "parsing a flow sequence started at line 3)");
    PARSE_FAILS("a:\n\tb: 1\n",
                "t.yaml:2:1: error: tab character in indentation (YAML indents with spaces only)");
    PARSE_FAILS("a:\n  b: 1\n  \tc: 2\n",
                "t.yaml:3:3: error: tab character in indentation (YAML indents with spaces only)");
    PARSE_FAILS("a: 1\nb: 2\na: 3\n", "t.yaml:3:1: error: duplicate key 'a' (first at line 1)");
    PARSE_FAILS("c:\n  api:\n    w: 1\n    w: 2\n",
                "t.yaml:4:5: error: c.api: duplicate key 'w' (first at line 3)");
    PARSE_FAILS("- a\n- b\n", "t.yaml:1:1: error: the top level must be a map of keys (such as "
                              "'workload:'), got a list");
    PARSE_FAILS("hello\n", "t.yaml:1:1: error: the top level must be a map of keys (such as "
                           "'workload:'), got a single value");
    PARSE_FAILS("a: &x 1\nb: *x\n",
                "t.yaml:1:4: error: a: anchors (&x) are not supported; write the value out");
    PARSE_FAILS("a: 1\nb: *x\n",
                "t.yaml:2:4: error: b: aliases (*x) are not supported; write the value out");
    PARSE_FAILS("a:\n  - !!str 5\n", "t.yaml:2:5: error: a[0]: tags (!!str) are not supported");
    PARSE_FAILS("a: !custom {}\n", "t.yaml:1:4: error: a: tags (!custom) are not supported");
    PARSE_FAILS("a: 1\n---\nb: 2\n", "t.yaml:2:1: error: a second YAML document starts here; "
                                     "one scenario file holds one document");
    PARSE_FAILS("? [a, b]\n: 1\n", "t.yaml:1:3: error: keys must be plain names, not a list");
    PARSE_FAILS(
        "",
        "t.yaml:1:1: error: empty scenario file (expected name, duration, workload, components)");
    PARSE_FAILS(
        "# only a comment\n\n",
        "t.yaml:1:1: error: empty scenario file (expected name, duration, workload, components)");
    PARSE_FAILS(
        "---\n",
        "t.yaml:1:1: error: empty scenario file (expected name, duration, workload, components)");
    PARSE_FAILS("a: 1\x7f\n", "t.yaml:1:5: error: not a text file: control byte 0x7f (is this a "
                              "binary file?)");
    PARSE_FAILS("a: \xc3\xa9\xff\n", "t.yaml:1:5: error: not a text file: invalid UTF-8 byte 0xff "
                                     "(scenario files must be UTF-8 text)");
    PARSE_FAILS("a: \xc0\x80\n", "t.yaml:1:4: error: not a text file: invalid UTF-8 byte 0xc0 "
                                 "(scenario files must be UTF-8 text)");
    PARSE_FAILS("a: \xed\xa0\x80\n", "t.yaml:1:4: error: not a text file: invalid UTF-8 byte "
                                     "0xed (scenario files must be UTF-8 text)");
    PARSE_FAILS("a: \xe2\x82\n", "t.yaml:1:4: error: not a text file: invalid UTF-8 byte 0xe2 "
                                 "(scenario files must be UTF-8 text)");
    {
        /* nesting beyond the limit */
        char deep[400];
        size_t off = 0;
        for (int i = 0; i < 70; i++)
            off += (size_t)snprintf(deep + off, sizeof deep - off, "[");
        snprintf(deep + off, sizeof deep - off, "]");
        char text[420];
        snprintf(text, sizeof text, "a: %s\n", deep);
        struct err e;
        CU_ASSERT_PTR_NULL(scn_doc_parse(text, strlen(text), "t.yaml", &e));
        CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "nested deeper than 64 levels"));
    }
    /* UTF-8 (with a BOM) is fine, and columns count characters */
    {
        struct scn_doc *doc = parse("\xef\xbb\xbf"
                                    "caf\xc3\xa9: \xc2\xb5s\nb: 1\n");
        struct scn_node *n = scn_map_get(scn_doc_root(doc), "caf\xc3\xa9");
        CU_ASSERT_PTR_NOT_NULL_FATAL(n);
        CU_ASSERT_EQUAL(n->col, 7);
        scn_doc_free(doc);
    }
}

static void test_load_files(void) {
    static const char junk[] = "\x00\xff\xfe binary";
    char path[64], want[300];
    struct err e;
    struct scn_doc *doc;

    load_fails(junk, sizeof junk - 1,
               ":1:1: error: not a text file: control byte 0x00 (is this a binary file?)");
    load_fails("", 0,
               ":1:1: error: empty scenario file (expected name, duration, workload, components)");
    load_fails("a: 1\n  b: 2\n", 12,
               ":2:4: error: YAML syntax error: mapping values are not allowed in this context");

    err_clear(&e);
    CU_ASSERT_PTR_NULL(scn_doc_load("/nonexistent/x.yaml", &e));
    err_is(&e, "/nonexistent/x.yaml: error: cannot read scenario: No such file or directory");
    CU_ASSERT_PTR_NULL(scn_doc_load("/tmp", &e));
    err_is(&e, "/tmp: error: cannot read scenario: Is a directory");

    temp_file(shop, sizeof shop - 1, path);
    doc = scn_doc_load(path, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_STRING_EQUAL(scn_doc_dir(doc), "/tmp");
    CU_ASSERT_STRING_EQUAL(scn_map_get(scn_doc_root(doc), "name")->file, path);
    {
        long long v;
        struct scn_node *w = scn_map_get(
            scn_map_get(scn_map_get(scn_doc_root(doc), "components"), "api"), "workers");
        CU_ASSERT_EQUAL(scn_as_int(w, 5, 10, &v, &e), -1);
        snprintf(want, sizeof want,
                 "%s:4:14: error: components.api.workers: expected a whole number in [5, 10], "
                 "got '4'",
                 path);
        err_is(&e, want);
    }
    scn_doc_free(doc);
    unlink(path);
}

static void test_set(void) {
    struct scn_doc *doc = parse(shop);
    struct scn_node *root = scn_doc_root(doc), *api, *n;
    static const char *const allowed[] = {"workers", "service", "label", NULL};
    struct err e;
    long long v;

    api = scn_map_get(scn_map_get(root, "components"), "api");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "components.api.workers=8", &e), 0);
    n = scn_map_get(api, "workers");
    CU_ASSERT_STRING_EQUAL(n->value, "8");
    CU_ASSERT_STRING_EQUAL(n->file, "--set");
    CU_ASSERT_EQUAL(n->line, 1);
    CU_ASSERT_EQUAL(n->col, 24);
    CU_ASSERT_EQUAL(scn_doc_set(doc, "components.api.workers=eight", &e), 0);
    CU_ASSERT_EQUAL(scn_as_int(scn_map_get(api, "workers"), 1, 64, &v, &e), -1);
    err_is(&e, "--set:1:24: error: components.api.workers: expected a whole number in [1, 64], "
               "got 'eight'");

    /* add a key: later validation names it at the --set position */
    CU_ASSERT_EQUAL(scn_doc_set(doc, "components.api.timeuot=2s", &e), 0);
    CU_ASSERT_EQUAL(api->n, 4);
    n = scn_map_get(api, "timeuot");
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    CU_ASSERT_STRING_EQUAL(n->path, "components.api.timeuot");
    CU_ASSERT_STRING_EQUAL(n->value, "2s");
    CU_ASSERT_EQUAL(scn_check_keys(api, allowed, &e), -1);
    err_is(&e, "--set:1:16: error: components.api: unknown key 'timeuot'");

    /* list items */
    CU_ASSERT_EQUAL(scn_doc_set(doc, "workload.classes[1].weight=2", &e), 0);
    n = scn_map_get(scn_map_get(scn_map_get(root, "workload"), "classes")->items[1], "weight");
    CU_ASSERT_STRING_EQUAL(n->value, "2");
    CU_ASSERT_EQUAL(n->col, 28);
    CU_ASSERT_EQUAL(scn_doc_set(doc, "workload.classes[0].name=", &e), 0);
    CU_ASSERT_EQUAL(scn_doc_set(doc, "workload.rate=a=b", &e), 0);
    CU_ASSERT_STRING_EQUAL(scn_map_get(scn_map_get(root, "workload"), "rate")->value, "a=b");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "newtop=1", &e), 0);
    CU_ASSERT_EQUAL(root->n, 4);

    /* errors leave the doc alone */
    CU_ASSERT_EQUAL(scn_doc_set(doc, "components.apx.workers=4", &e), -1);
    err_is(&e, "--set:1:12: error: components: unknown key 'apx' (did you mean 'api'?)");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "componets.api.workers=4", &e), -1);
    err_is(&e, "--set:1:1: error: unknown key 'componets' (did you mean 'components'?)");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "components.api.workers", &e), -1);
    err_is(&e, "--set:1:1: error: expected PATH=VALUE (e.g. components.api.workers=4), got "
               "'components.api.workers'");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "=4", &e), -1);
    CU_ASSERT_EQUAL(scn_doc_set(doc, "components..workers=4", &e), -1);
    err_is(&e, "--set:1:12: error: empty key in path 'components..workers'");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "components.api=4", &e), -1);
    err_is(&e, "--set:1:12: error: components.api: is a map; --set replaces single values only");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "name.first=x", &e), -1);
    err_is(&e, "--set:1:6: error: name: is a single value, not a map; cannot look up 'first'");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "workload.classes[5].weight=2", &e), -1);
    err_is(&e, "--set:1:17: error: workload.classes[5]: the list has 2 entries ([0] to [1]); "
               "--set cannot add entries");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "workload.classes[2]=x", &e), -1);
    err_is(&e, "--set:1:17: error: workload.classes[2]: the list has 2 entries ([0] to [1]); "
               "--set cannot add entries");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "workload.classes.weight=2", &e), -1);
    err_is(&e, "--set:1:18: error: workload.classes: is a list, not a map; cannot look up "
               "'weight'");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "workload[0]=2", &e), -1);
    err_is(&e, "--set:1:9: error: workload: is a map, not a list; cannot take [0]");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "workload.classes[x]=2", &e), -1);
    err_is(&e, "--set:1:17: error: expected a list index such as [0]");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "workload.classes[0]x=2", &e), -1);
    err_is(&e, "--set:1:20: error: expected '.', '[' or '=' after the index");
    CU_ASSERT_EQUAL(api->n, 4);
    CU_ASSERT_STRING_EQUAL(scn_map_get(api, "workers")->value, "eight");
    scn_doc_free(doc);
}

/* A list the scenario does not have (it once said "unknown key 'failures'", as if the key
 * were misspelt), an index past the end of short and empty lists, and a misspelt list key
 * (still a did-you-mean). Nothing is created: --set changes what the file has. */
static void test_set_lists(void) {
    struct scn_doc *doc = parse("name: t\n"
                                "workload:\n"
                                "  classes:\n"
                                "    - {name: read}\n"
                                "  phases: []\n"
                                "components: {api: {workers: 1}}\n");
    struct scn_node *root = scn_doc_root(doc);
    struct err e;

    CU_ASSERT_EQUAL(scn_doc_set(doc, "failures[0].at=1s", &e), -1);
    err_is(&e, "--set:1:1: error: failures[0]: the scenario has no 'failures' list, and --set "
               "cannot create one (it changes existing values and adds keys to existing maps)");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "failures[0]=1s", &e), -1);
    err_is(&e, "--set:1:1: error: failures[0]: the scenario has no 'failures' list, and --set "
               "cannot create one (it changes existing values and adds keys to existing maps)");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "components.api.calls[3].to=db", &e), -1);
    err_is(&e, "--set:1:16: error: components.api.calls[3]: the scenario has no 'calls' list, "
               "and --set cannot create one (it changes existing values and adds keys to "
               "existing maps)");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "workload.classes[1].name=write", &e), -1);
    err_is(&e, "--set:1:17: error: workload.classes[1]: the list has 1 entry ([0]); --set "
               "cannot add entries");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "workload.phases[0].rate=5/s", &e), -1);
    err_is(&e, "--set:1:16: error: workload.phases[0]: the list is empty; --set cannot add "
               "entries");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "workload.clases[0].name=x", &e), -1);
    err_is(&e, "--set:1:10: error: workload: unknown key 'clases' (did you mean 'classes'?)");
    /* an existing entry is still changed */
    CU_ASSERT_EQUAL(scn_doc_set(doc, "workload.classes[0].name=write", &e), 0);
    CU_ASSERT_STRING_EQUAL(
        scn_map_get(scn_map_get(scn_map_get(root, "workload"), "classes")->items[0], "name")->value,
        "write");
    CU_ASSERT_EQUAL(root->n, 3);
    scn_doc_free(doc);
}

/* text with every "KEY" replaced by n characters c. Caller frees. */
static char *with_key(const char *text, size_t n, char c) {
    size_t len = 0, cap = strlen(text) + 1;
    const char *p = text, *at;
    char *out;

    for (at = strstr(p, "KEY"); at; at = strstr(at + 3, "KEY"))
        cap += n;
    out = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    while ((at = strstr(p, "KEY"))) {
        memcpy(out + len, p, (size_t)(at - p));
        len += (size_t)(at - p);
        memset(out + len, c, n);
        len += n;
        p = at + 3;
    }
    strcpy(out + len, p);
    return out;
}

static void long_key_fails(const char *text, size_t n, const char *want) {
    char *t = with_key(text, n, 'k');

    parse_fails(t, strlen(t), want);
    free(t);
}

#define K32        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
#define LIMIT_TEXT "characters long (keys, component names included, are limited to 1024)"

/* Keys longer than libyaml allows (1024 characters; a 100,000-character component name once
 * gave "YAML syntax error: mapping values are not allowed in this context") are refused at the
 * key, naming the map that holds it, whatever form the map has. */
static void test_long_keys(void) {
    static const char block[] = "name: x\ncomponents:\n  api: {kind: service}\n  KEY:\n    kind: "
                                "service\n";
    char *t;
    struct scn_doc *doc;
    struct err e;

    long_key_fails(block, 100000,
                   "t.yaml:4:3: error: components: key '" K32 "...' is 100000 " LIMIT_TEXT);
    long_key_fails(block, 1025,
                   "t.yaml:4:3: error: components: key '" K32 "...' is 1025 " LIMIT_TEXT);
    /* a long value before it: libyaml then fails while its events are still in another map */
    long_key_fails("name: x\nworkload: {target: KEY}\ncomponents:\n  KEY:\n    kind: service\n",
                   100000, "t.yaml:4:3: error: components: key '" K32 "...' is 100000 " LIMIT_TEXT);
    /* quoted, in a flow map, in a list item, an explicit key */
    long_key_fails("name: x\ncomponents:\n  \"KEY\": {kind: service}\n", 1100,
                   "t.yaml:3:4: error: components: key '" K32 "...' is 1100 " LIMIT_TEXT);
    long_key_fails("name: x\ncomponents:\n  api: {kind: service, KEY: 1}\n", 1100,
                   "t.yaml:3:24: error: components.api: key '" K32 "...' is 1100 " LIMIT_TEXT);
    long_key_fails("name: x\nfailures:\n  - {at: 1s}\n  - KEY: 1\n", 1100,
                   "t.yaml:4:5: error: failures[1]: key '" K32 "...' is 1100 " LIMIT_TEXT);
    long_key_fails("name: x\ncomponents:\n  ? KEY\n  : {kind: service}\n", 1100,
                   "t.yaml:3:5: error: components: key '" K32 "...' is 1100 " LIMIT_TEXT);
    /* characters, not bytes: 1024 two-byte characters are fine */
    t = with_key(block, 1024 * 2, 'x');
    for (char *k = strstr(t, "xx"); k && *k == 'x'; k += 2)
        memcpy(k, "\xc3\xa9", 2);
    doc = parse(t);
    CU_ASSERT_EQUAL(strlen(scn_map_get(scn_doc_root(doc), "components")->keys[1]), 2048);
    scn_doc_free(doc);
    free(t);
    t = with_key(block, 1024, 'k');
    doc = parse(t);
    CU_ASSERT_EQUAL(strlen(scn_map_get(scn_doc_root(doc), "components")->keys[1]), 1024);
    free(t);
    /* --set has the same limit */
    t = with_key("components.KEY=1", 1025, 'k');
    CU_ASSERT_EQUAL(scn_doc_set(doc, t, &e), -1);
    err_is(&e, "--set:1:12: error: key '" K32 "...' is longer than 1024 characters (the limit "
               "for keys)");
    free(t);
    scn_doc_free(doc);
}

/* --set adds a key to any existing map: the top level, a component, an empty flow map, a map in
 * a list; validation then reads it like any key. */
static void test_set_adds_keys(void) {
    struct scn_doc *doc = parse("name: x\nduration: 10s\ncomponents:\n  api: {kind: service}\n"
                                "  lb: {}\nworkload:\n  classes:\n    - {name: a}\n");
    struct scn_node *root = scn_doc_root(doc), *n;
    struct err e;
    int64_t ns;
    long long q;

    err_clear(&e);
    CU_ASSERT_EQUAL(scn_doc_set(doc, "warmup=1e3ms", &e), 0);
    CU_ASSERT_EQUAL(scn_get_duration(root, "warmup", 1, &ns, &e), 0);
    CU_ASSERT_EQUAL(ns, INT64_C(1000000000));
    n = scn_map_get(root, "warmup");
    CU_ASSERT_STRING_EQUAL(n->path, "warmup");
    CU_ASSERT_EQUAL(n->col, 8);
    CU_ASSERT_EQUAL(root->key_col[root->n - 1], 1);
    CU_ASSERT_STRING_EQUAL(root->key_file[root->n - 1], "--set");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "components.api.queue=100", &e), 0);
    n = scn_map_get(scn_map_get(scn_map_get(root, "components"), "api"), "queue");
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    CU_ASSERT_EQUAL(scn_as_int(n, 0, 1000, &q, &e), 0);
    CU_ASSERT_EQUAL(q, 100);
    CU_ASSERT_STRING_EQUAL(n->path, "components.api.queue");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "components.lb.policy=random", &e), 0);
    n = scn_map_get(scn_map_get(root, "components"), "lb");
    CU_ASSERT_EQUAL(n->n, 1);
    CU_ASSERT_STRING_EQUAL(n->keys[0], "policy");
    CU_ASSERT_EQUAL(scn_doc_set(doc, "workload.classes[0].weight=2", &e), 0);
    n = scn_map_get(scn_map_get(scn_map_get(root, "workload"), "classes")->items[0], "weight");
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    CU_ASSERT_STRING_EQUAL(n->path, "workload.classes[0].weight");
    /* the parent must exist */
    CU_ASSERT_EQUAL(scn_doc_set(doc, "components.api.autoscale.max=4", &e), -1);
    err_is(&e,
           "--set:1:16: error: components.api: no 'autoscale' map in the scenario, and --set "
           "cannot create one (it "
           "changes existing values and adds keys to existing maps); add 'autoscale:' to the file");
    scn_doc_free(doc);
}

static void test_suggest(void) {
    static const char *const c[] = {"workers", "service", "round_robin", "queue", "capacity", NULL};

    CU_ASSERT_STRING_EQUAL(scn_suggest("workrs", c), "workers");
    CU_ASSERT_STRING_EQUAL(scn_suggest("wrokers", c), "workers"); /* transposition = 1 */
    CU_ASSERT_STRING_EQUAL(scn_suggest("Workers", c), "workers");
    CU_ASSERT_STRING_EQUAL(scn_suggest("roundrobin", c), "round_robin");
    CU_ASSERT_STRING_EQUAL(scn_suggest("round", c), "round_robin"); /* prefix */
    CU_ASSERT_STRING_EQUAL(scn_suggest("queues", c), "queue");
    CU_ASSERT_STRING_EQUAL(scn_suggest("capacty", c), "capacity");
    CU_ASSERT_PTR_NULL(scn_suggest("latency", c));
    CU_ASSERT_PTR_NULL(scn_suggest("qu", c)); /* too short for a prefix */
    CU_ASSERT_PTR_NULL(scn_suggest("ab", c));
    CU_ASSERT_PTR_NULL(scn_suggest("x", c));
}

/* A one-key doc "v: <value>"; *node is its value. */
static struct scn_doc *one(const char *value, struct scn_node **node) {
    char text[300];
    struct scn_doc *doc;

    snprintf(text, sizeof text, "v: %s\n", value);
    doc = parse(text);
    *node = scn_map_get(scn_doc_root(doc), "v");
    return doc;
}

static void test_scalars(void) {
    struct scn_node *n;
    struct scn_doc *doc;
    struct err e;
    long long i = 0;
    double d = 0;
    int b = -1, idx = -1;
    int64_t ns = 0;
    uint64_t bytes = 0;
    const char *s = NULL;
    static const char *const policies[] = {"round_robin", "least_conn", "random", NULL};

#define ONE(value) (scn_doc_free(doc), doc = one(value, &n))
    doc = one("42", &n);
    CU_ASSERT_EQUAL(scn_as_int(n, 0, 100, &i, &e), 0);
    CU_ASSERT_EQUAL(i, 42);
    ONE("1e6");
    CU_ASSERT_EQUAL(scn_as_int(n, 0, LLONG_MAX, &i, &e), 0);
    CU_ASSERT_EQUAL(i, 1000000);
    ONE("1_000");
    CU_ASSERT_EQUAL(scn_as_int(n, LLONG_MIN, LLONG_MAX, &i, &e), 0);
    CU_ASSERT_EQUAL(i, 1000);
    ONE("-3");
    CU_ASSERT_EQUAL(scn_as_int(n, 0, LLONG_MAX, &i, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a whole number >= 0, got '-3'");
    ONE("2.5");
    CU_ASSERT_EQUAL(scn_as_int(n, LLONG_MIN, 10, &i, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a whole number <= 10, got '2.5'");
    ONE("99999999999999999999");
    CU_ASSERT_EQUAL(scn_as_int(n, LLONG_MIN, LLONG_MAX, &i, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: 99999999999999999999 is more than the maximum 2^63 - 1");
    ONE("[1, 2]");
    CU_ASSERT_EQUAL(scn_as_int(n, 1, 2, &i, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a whole number in [1, 2], got a list");
    CU_ASSERT_EQUAL(scn_expect(n, SCN_SEQ, &e), 0);
    CU_ASSERT_EQUAL(scn_expect(n, SCN_MAP, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a map, got a list");

    ONE("0.25");
    CU_ASSERT_EQUAL(scn_as_double(n, 0, 1, &d, &e), 0);
    CU_ASSERT_DOUBLE_EQUAL(d, 0.25, 0);
    ONE("1.5");
    CU_ASSERT_EQUAL(scn_as_double(n, 0, 1, &d, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a number in [0, 1], got '1.5'");
    ONE("nan");
    CU_ASSERT_EQUAL(scn_as_double(n, -INFINITY, INFINITY, &d, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a number, got 'nan'");
    ONE("{a: 1}");
    CU_ASSERT_EQUAL(scn_as_double(n, 0.5, INFINITY, &d, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a number >= 0.5, got a map");

    ONE("Yes");
    CU_ASSERT_EQUAL(scn_as_bool(n, &b, &e), 0);
    CU_ASSERT_EQUAL(b, 1);
    ONE("off");
    CU_ASSERT_EQUAL(scn_as_bool(n, &b, &e), 0);
    CU_ASSERT_EQUAL(b, 0);
    ONE("maybe");
    CU_ASSERT_EQUAL(scn_as_bool(n, &b, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected true or false (or yes/no, on/off), got 'maybe'");

    ONE("'hello'");
    CU_ASSERT_EQUAL(scn_as_string(n, &s, &e), 0);
    CU_ASSERT_STRING_EQUAL(s, "hello");
    ONE("\"\"");
    CU_ASSERT_EQUAL(scn_as_string(n, &s, &e), 0);
    CU_ASSERT_STRING_EQUAL(s, "");
    ONE("");
    CU_ASSERT_EQUAL(scn_as_string(n, &s, &e), -1);
    err_is(&e, "t.yaml:1:3: error: v: expected a string, got nothing");

    ONE("5ms");
    CU_ASSERT_EQUAL(scn_as_duration(n, &ns, &e), 0);
    CU_ASSERT_EQUAL(ns, 5000000);
    ONE("5");
    CU_ASSERT_EQUAL(scn_as_duration(n, &ns, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a duration with a unit (e.g. 5ms), got '5'");
    ONE("-5ms");
    CU_ASSERT_EQUAL(scn_as_duration(n, &ns, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: invalid duration '-5ms': negative durations are not "
               "allowed");
    ONE("0s");
    CU_ASSERT_EQUAL(scn_as_duration(n, &ns, &e), 0);
    CU_ASSERT_EQUAL(ns, 0);
    ns = 9;
    CU_ASSERT_EQUAL(scn_as_positive_duration(n, &ns, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: duration must be positive, got '0s'");
    CU_ASSERT_EQUAL(ns, 9);

    ONE("2000/s");
    CU_ASSERT_EQUAL(scn_as_rate(n, &d, &e), 0);
    CU_ASSERT_DOUBLE_EQUAL(d, 2000, 0);
    ONE("2000");
    CU_ASSERT_EQUAL(scn_as_rate(n, &d, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a rate with a unit (e.g. 2000/s), got '2000'");
    ONE("0/s");
    CU_ASSERT_EQUAL(scn_as_rate(n, &d, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: rate must be positive, got '0/s'");

    ONE("64KiB");
    CU_ASSERT_EQUAL(scn_as_size(n, &bytes, &e), 0);
    CU_ASSERT_EQUAL(bytes, 65536);
    ONE("64");
    CU_ASSERT_EQUAL(scn_as_size(n, &bytes, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a size with a unit (e.g. 64KiB), got '64'");

    ONE("10%");
    CU_ASSERT_EQUAL(scn_as_fraction(n, &d, &e), 0);
    CU_ASSERT_DOUBLE_EQUAL(d, 0.1, 1e-15);
    ONE("150%");
    CU_ASSERT_EQUAL(scn_as_fraction(n, &d, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: invalid fraction '150%': must be between 0% and 100%");

    ONE("least_conn");
    CU_ASSERT_EQUAL(scn_as_enum(n, policies, &idx, &e), 0);
    CU_ASSERT_EQUAL(idx, 1);
    ONE("roundrobin");
    CU_ASSERT_EQUAL(scn_as_enum(n, policies, &idx, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: unknown value 'roundrobin' (expected one of: round_robin, "
               "least_conn, random; did you mean 'round_robin'?)");
    ONE("fifo");
    CU_ASSERT_EQUAL(scn_as_enum(n, policies, &idx, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: unknown value 'fifo' (expected one of: round_robin, "
               "least_conn, random)");
    CU_ASSERT_EQUAL(idx, 1);
#undef ONE
    scn_doc_free(doc);
}

/* Whole numbers are read exactly, exponents included: "keyspace: 1e18" (a shard's maximum,
 * 10^18) was refused as "expected a whole number in [1, 1000000000000000000], got '1e18'",
 * because exponent forms went through a double and were cut at 2^53. Above the maximum the
 * message says so; below the minimum and for fractions it states the range. */
static void test_whole_numbers(void) {
    static const long long max18 = 1000000000000000000LL;
    static const struct {
        const char *text;
        long long want;
    } ok[] = {
        {"1e18", 1000000000000000000LL},
        {"1E18", 1000000000000000000LL},
        {"1e+18", 1000000000000000000LL},
        {"1.5e3", 1500},
        {"2.50e1", 25},
        {"0.001e3", 1},
        {"1_000e3", 1000000},
        {"9007199254740993", 9007199254740993LL},   /* 2^53 + 1, exact */
        {"9007199254740993e0", 9007199254740993LL}, /* also with an exponent */
        {"123456789012345678e1", 1234567890123456780LL},
        {"-9223372036854775808", LLONG_MIN},
        {"9223372036854775807", LLONG_MAX},
        {"-0", 0},
        {"0e999999999", 0},
        {".5e1", 5},
        {"5.", 5},
    };
    struct scn_node *n;
    struct scn_doc *doc = NULL;
    struct err e;
    long long v;

    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        scn_doc_free(doc);
        doc = one(ok[k].text, &n);
        v = 0;
        CU_ASSERT_EQUAL(scn_as_int(n, LLONG_MIN, LLONG_MAX, &v, &e), 0);
        CU_ASSERT_EQUAL(v, ok[k].want);
        if (v != ok[k].want) fprintf(stderr, "\n%s: got %lld\n", ok[k].text, v);
    }
#define ONE(value) (scn_doc_free(doc), doc = one(value, &n))
    ONE("1e18");
    CU_ASSERT_EQUAL(scn_as_int(n, 1, max18, &v, &e), 0);
    CU_ASSERT_EQUAL(v, max18);
    ONE("1e19");
    CU_ASSERT_EQUAL(scn_as_int(n, 1, max18, &v, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: 1e19 is more than the maximum 10^18");
    ONE("2e18");
    CU_ASSERT_EQUAL(scn_as_int(n, 1, max18, &v, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: 2e18 is more than the maximum 10^18");
    ONE("1000000000000000001");
    CU_ASSERT_EQUAL(scn_as_int(n, 1, max18, &v, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: 1000000000000000001 is more than the maximum 10^18");
    ONE("1e400");
    CU_ASSERT_EQUAL(scn_as_int(n, 1, max18, &v, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: 1e400 is more than the maximum 10^18");
    ONE("1.5");
    CU_ASSERT_EQUAL(scn_as_int(n, 1, max18, &v, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a whole number in [1, 10^18], got '1.5'");
    ONE("1.5e18"); /* whole, and too large */
    CU_ASSERT_EQUAL(scn_as_int(n, 1, max18, &v, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: 1.5e18 is more than the maximum 10^18");
    ONE("1e-3");
    CU_ASSERT_EQUAL(scn_as_int(n, 1, max18, &v, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a whole number in [1, 10^18], got '1e-3'");
    ONE("1.0000000000000000001e18"); /* 10^18 + 0.1: not whole, though a double would say so */
    CU_ASSERT_EQUAL(scn_as_int(n, 1, max18, &v, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a whole number in [1, 10^18], got "
               "'1.0000000000000000001e18'");
    ONE("0");
    CU_ASSERT_EQUAL(scn_as_int(n, 1, max18, &v, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a whole number in [1, 10^18], got '0'");
    ONE("-1e19");
    CU_ASSERT_EQUAL(scn_as_int(n, 1, max18, &v, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a whole number in [1, 10^18], got '-1e19'");
    ONE("1e");
    CU_ASSERT_EQUAL(scn_as_int(n, 1, max18, &v, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a whole number in [1, 10^18], got '1e'");
    ONE("+5");
    CU_ASSERT_EQUAL(scn_as_int(n, 1, 10, &v, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a whole number in [1, 10], got '+5'");
    /* small limits stay in digits; powers of two read as such */
    ONE("5e9");
    CU_ASSERT_EQUAL(scn_as_int(n, 0, 1000000000, &v, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: 5e9 is more than the maximum 1000000000");
    ONE("x");
    CU_ASSERT_EQUAL(scn_as_int(n, 0, 9007199254740992LL, &v, &e), -1);
    err_is(&e, "t.yaml:1:4: error: v: expected a whole number in [0, 2^53], got 'x'");
#undef ONE
    scn_doc_free(doc);
}

/* Error lines are one line: a YAML block scalar ("|" keeps its line breaks, ">" its last one)
 * where a value is expected used to split the message over several lines. */
static void test_one_line_errors(void) {
    static const char *const policies[] = {"round_robin", "random", NULL};
    struct scn_doc *doc;
    struct scn_node *root, *n;
    struct err e;
    long long v;
    int idx;
    int64_t ns;
    double rate;
    struct dist d;
    char buf[600];

    doc = parse("workers: |\n"
                "  four\n"
                "  five\n"
                "policy: >\n"
                "  round\n"
                "  robin\n"
                "dur: |\n"
                "  0s\n"
                "rate: |-\n"
                "  0/s\n"
                "  \n"
                "service: |\n"
                "  exp(1ms)\n"
                "  more\n"
                "long: |\n"
                "  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
                "  bbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
                "tab: \"a\\tb\\x01c\\u2028d\"\n");
    root = scn_doc_root(doc);
    CU_ASSERT_EQUAL(scn_as_int(scn_map_get(root, "workers"), 1, 64, &v, &e), -1);
    err_is(&e, "t.yaml:1:10: error: workers: expected a whole number in [1, 64], got "
               "'four\\nfive\\n'");
    CU_ASSERT_PTR_NULL(strchr(err_format(&e, buf, sizeof buf), '\n'));
    CU_ASSERT_EQUAL(scn_as_enum(scn_map_get(root, "policy"), policies, &idx, &e), -1);
    err_is(&e, "t.yaml:4:9: error: policy: unknown value 'round robin\\n' (expected one of: "
               "round_robin, random; did you mean 'round_robin'?)");
    CU_ASSERT_EQUAL(scn_as_positive_duration(scn_map_get(root, "dur"), &ns, &e), -1);
    err_is(&e, "t.yaml:7:6: error: dur: invalid duration '0s\\n': unknown unit 's\\n' (use ns, "
               "us, ms, s, m or h)");
    n = scn_map_get(root, "rate");
    CU_ASSERT_EQUAL(scn_as_rate(n, &rate, &e), -1);
    err_is(&e, "t.yaml:9:7: error: rate: rate must be positive, got '0/s'");
    CU_ASSERT_EQUAL(scn_as_dist(scn_map_get(root, "service"), ".", &d, &e), -1);
    err_is(&e, "t.yaml:12:10: error: service: unexpected '\\nmore\\n' after ')'");
    /* a long value is cut on a character boundary, at 60 bytes with its escapes and "..." */
    CU_ASSERT_EQUAL(scn_as_int(scn_map_get(root, "long"), 1, 64, &v, &e), -1);
    err_is(&e, "t.yaml:15:7: error: long: expected a whole number in [1, 64], got "
               "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\n...'");
    /* tab, other control characters and U+2028 (a line break to some readers) */
    CU_ASSERT_EQUAL(scn_as_int(scn_map_get(root, "tab"), 1, 64, &v, &e), -1);
    err_is(&e, "t.yaml:18:6: error: tab: expected a whole number in [1, 64], got "
               "'a\\tb\\x01c\\u2028d'");
    scn_doc_free(doc);
}

/* err_escape, which err_set applies to every message and file name. */
static void test_err_escape(void) {
    char buf[16], small[8];
    struct err e;

    CU_ASSERT_STRING_EQUAL(err_escape(buf, sizeof buf, "a\nb\r\tc"), "a\\nb\\r\\tc");
    CU_ASSERT_STRING_EQUAL(err_escape(buf, sizeof buf, "\x7f\x1b[0m"), "\\x7f\\x1b[0m");
    /* UTF-8 is kept, a byte that is not UTF-8 is shown as \xHH */
    CU_ASSERT_STRING_EQUAL(err_escape(buf, sizeof buf, "\xc3\xa9\xff\xc3"), "\xc3\xa9\\xff\\xc3");
    CU_ASSERT_STRING_EQUAL(err_escape(buf, sizeof buf, "\xc2\x85"), "\\u0085");
    /* cut with "...", never inside a character or an escape */
    CU_ASSERT_STRING_EQUAL(err_escape(small, sizeof small, "abcdefghij"), "abcd...");
    CU_ASSERT_STRING_EQUAL(err_escape(small, sizeof small, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"),
                           "\xc3\xa9\xc3\xa9...");
    CU_ASSERT_STRING_EQUAL(err_escape(small, sizeof small, "abc\n\nd"), "abc...");
    CU_ASSERT_STRING_EQUAL(err_escape(small, sizeof small, "abcdefg"), "abcdefg");
    /* err_set: file and message, one line each */
    err_set(&e, "dir\n/f.csv", 3, 4, "bad '%s'", "x\ny");
    CU_ASSERT_STRING_EQUAL(e.file, "dir\\n/f.csv");
    CU_ASSERT_STRING_EQUAL(e.msg, "bad 'x\\ny'");
    /* a caller may pass e's own text back in */
    err_set(&e, e.file, 1, 1, "again: %s", e.msg);
    CU_ASSERT_STRING_EQUAL(e.msg, "again: bad 'x\\ny'");
    CU_ASSERT_STRING_EQUAL(e.file, "dir\\n/f.csv");
    /* a message longer than e.msg loses its middle, not its end (what is wrong): 255 bytes,
     * the first 102 (2/5), "...", the last 150 */
    {
        char name[1001];
        memset(name, 'a', 1000);
        name[1000] = 0;
        err_set(&e, NULL, 0, 0, "components.%s.calls[0]: unknown component 'nope'", name);
        CU_ASSERT_EQUAL(strlen(e.msg), sizeof e.msg - 1);
        CU_ASSERT_EQUAL(strncmp(e.msg, "components.aaaa", 15), 0);
        CU_ASSERT_EQUAL(memcmp(e.msg + 102, "...", 3), 0);
        /* the tail: 115 of the name's a's, then the 35 bytes after the name */
        CU_ASSERT_EQUAL(strspn(e.msg + 105, "a"), 115);
        CU_ASSERT_STRING_EQUAL(e.msg + 220, ".calls[0]: unknown component 'nope'");
    }
}

static void test_get(void) {
    struct scn_doc *doc =
        parse("run:\n  duration: 10s\n  rate: 5/s\n  reps: 3\n  p: 0.5\n  name: x\n  on: yes\n"
              "  lb: random\n  svc: exp(1ms)\n");
    struct scn_node *run = scn_map_get(scn_doc_root(doc), "run");
    static const char *const lbs[] = {"round_robin", "random", NULL};
    struct err e;
    int64_t ns = -1;
    double d = -1;
    long long i = -1;
    const char *s = NULL;
    int b = -1, idx = -1;
    struct dist dist;

    CU_ASSERT_EQUAL(scn_get_duration(run, "duration", 1, &ns, &e), 0);
    CU_ASSERT_EQUAL(ns, INT64_C(10000000000));
    CU_ASSERT_EQUAL(scn_get_duration(run, "warmup", 0, &ns, &e), 0);
    CU_ASSERT_EQUAL(ns, INT64_C(10000000000)); /* unchanged */
    CU_ASSERT_EQUAL(scn_get_duration(run, "warmup", 1, &ns, &e), -1);
    err_is(&e, "t.yaml:2:3: error: run: missing key 'warmup'");
    CU_ASSERT_EQUAL(scn_get_int(scn_doc_root(doc), "seed", 1, 0, 10, &i, &e), -1);
    err_is(&e, "t.yaml:1:1: error: missing key 'seed'");
    CU_ASSERT_EQUAL(scn_get_rate(run, "rate", 1, &d, &e), 0);
    CU_ASSERT_DOUBLE_EQUAL(d, 5, 0);
    CU_ASSERT_EQUAL(scn_get_int(run, "reps", 1, 1, 10, &i, &e), 0);
    CU_ASSERT_EQUAL(i, 3);
    CU_ASSERT_EQUAL(scn_get_double(run, "p", 1, 0, 1, &d, &e), 0);
    CU_ASSERT_DOUBLE_EQUAL(d, 0.5, 0);
    CU_ASSERT_EQUAL(scn_get_string(run, "name", 1, &s, &e), 0);
    CU_ASSERT_STRING_EQUAL(s, "x");
    CU_ASSERT_EQUAL(scn_get_bool(run, "on", 1, &b, &e), 0);
    CU_ASSERT_EQUAL(b, 1);
    CU_ASSERT_EQUAL(scn_get_enum(run, "lb", 1, lbs, &idx, &e), 0);
    CU_ASSERT_EQUAL(idx, 1);
    CU_ASSERT_EQUAL(scn_get_dist(run, "svc", 1, ".", &dist, &e), 0);
    CU_ASSERT_EQUAL(dist.kind, DIST_EXP);
    dist_free(&dist);
    CU_ASSERT_EQUAL(scn_get_dist(run, "svc2", 0, ".", &dist, &e), 0);
    CU_ASSERT_EQUAL(scn_get_int(run, "p", 1, 0, 1, &i, &e), -1);
    err_is(&e, "t.yaml:5:6: error: run.p: expected a whole number in [0, 1], got '0.5'");
    CU_ASSERT_EQUAL(scn_get_int(scn_map_get(run, "name"), "x", 1, 0, 1, &i, &e), -1);
    err_is(&e, "t.yaml:6:9: error: run.name: expected a map, got 'x'");
    scn_doc_free(doc);
}

/* scn_as_dist on "v: <spec>": 0 and *d, or -1 and the printed error in msg. */
static int dist_of(const char *spec, struct dist *d, char *msg, size_t n) {
    struct scn_node *node;
    struct scn_doc *doc = one(spec, &node);
    struct err e;
    int rc;

    err_clear(&e);
    rc = scn_as_dist(node, "/tmp", d, &e);
    err_format(&e, msg, n);
    scn_doc_free(doc);
    return rc;
}

static void dist_ok(const char *spec, enum dist_kind kind, double p0, double p1) {
    struct dist d;
    char msg[300];

    memset(&d, 0, sizeof d);
    if (dist_of(spec, &d, msg, sizeof msg) != 0) {
        fprintf(stderr, "\n%s: %s\n", spec, msg);
        CU_FAIL("dist spec rejected");
        return;
    }
    CU_ASSERT_EQUAL(d.kind, kind);
    CU_ASSERT_DOUBLE_EQUAL(d.p[0], p0, fabs(p0) * 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(d.p[1], p1, fabs(p1) * 1e-12);
    dist_free(&d);
}

static void dist_bad(const char *spec, const char *want) {
    struct dist d;
    char msg[300];

    memset(&d, 0, sizeof d);
    CU_ASSERT_EQUAL(dist_of(spec, &d, msg, sizeof msg), -1);
    CU_ASSERT_STRING_EQUAL(msg, want);
    if (strcmp(msg, want) != 0) fprintf(stderr, "\n got: %s\nwant: %s\n", msg, want);
    CU_ASSERT_PTR_NULL(d.samples);
}

static void test_dist_forms(void) {
    char csv[64], spec[200];
    struct dist d;
    char msg[300];

    dist_ok("5ms", DIST_CONST, 5e6, 0);
    dist_ok("const(5ms)", DIST_CONST, 5e6, 0);
    dist_ok("constant(value=2us)", DIST_CONST, 2e3, 0);
    dist_ok("exp(1ms)", DIST_EXP, 1e6, 0);
    dist_ok("exponential(mean=1ms)", DIST_EXP, 1e6, 0);
    dist_ok("uniform(1ms, 3ms)", DIST_UNIFORM, 1e6, 3e6);
    dist_ok("uniform(min=1ms, max=3ms)", DIST_UNIFORM, 1e6, 3e6);
    dist_ok("uniform(max=3ms, min=1ms)", DIST_UNIFORM, 1e6, 3e6);
    dist_ok("uniform(1ms, max=3ms)", DIST_UNIFORM, 1e6, 3e6);
    dist_ok("normal(mean=5ms, sd=1ms)", DIST_NORMAL, 5e6, 1e6);
    dist_ok(" normal ( 5ms , 1ms ) ", DIST_NORMAL, 5e6, 1e6);
    dist_ok("lognormal(mu=1.6, sigma=0.5, unit=ms)", DIST_LOGNORMAL, 1.6 + log(1e6), 0.5);
    dist_ok("lognormal(mu=0, sigma=1, unit=s)", DIST_LOGNORMAL, log(1e9), 1);
    dist_ok("gamma(k=2, mean=4ms)", DIST_GAMMA, 2, 4e6);
    dist_ok("gamma(0.5, 4ms)", DIST_GAMMA, 0.5, 4e6);
    dist_ok("erlang(k=3, mean=3ms)", DIST_GAMMA, 3, 3e6);
    dist_ok("pareto(alpha=2.5, min=1ms)", DIST_PARETO, 2.5, 1e6);
    dist_ok("hyperexp(p=0.9, mean1=1ms, mean2=10ms)", DIST_HYPEREXP, 0.9, 1e6);
    dist_ok("hyperexp(90%, 1ms, 10ms)", DIST_HYPEREXP, 0.9, 1e6);

    /* lognormal by mean and p99: the constructor keeps them in p[2], p[3] */
    memset(&d, 0, sizeof d);
    CU_ASSERT_EQUAL_FATAL(dist_of("lognormal(mean=5ms, p99=40ms)", &d, msg, sizeof msg), 0);
    CU_ASSERT_EQUAL(d.kind, DIST_LOGNORMAL);
    CU_ASSERT_DOUBLE_EQUAL(d.p[2], 5e6, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(d.p[3], 40e6, 1e-3);
    dist_free(&d);

    /* empirical: the file is relative to the scenario's directory */
    temp_file("id,service_time_ms\n1,2\n2,4\n", 26, csv);
    snprintf(spec, sizeof spec, "empirical(file=%s, column=service_time_ms)", csv + 5);
    memset(&d, 0, sizeof d);
    CU_ASSERT_EQUAL(dist_of(spec, &d, msg, sizeof msg), 0);
    CU_ASSERT_EQUAL(d.kind, DIST_EMPIRICAL);
    CU_ASSERT_EQUAL(d.nsamples, 2);
    CU_ASSERT_DOUBLE_EQUAL(d.p[0], 3e6, 1e-3);
    dist_free(&d);
    snprintf(spec, sizeof spec, "empirical(%s, 'service_time_ms')", csv);
    CU_ASSERT_EQUAL(dist_of(spec, &d, msg, sizeof msg), 0);
    dist_free(&d);
    unlink(csv);
}

static void test_dist_errors(void) {
    char csv[64], spec[200], want[400];

    dist_bad("5", "t.yaml:1:4: error: v: expected a duration with a unit (e.g. 5ms) or a "
                  "distribution such as exp(5ms), got '5'");
    dist_bad("fast", "t.yaml:1:4: error: v: expected a distribution such as exp(5ms) or a "
                     "duration such as 5ms, got 'fast'");
    dist_bad("5mss", "t.yaml:1:4: error: v: invalid duration '5mss': unknown unit 'mss' (use ns, "
                     "us, ms, s, m or h)");
    dist_bad("{a: 1}", "t.yaml:1:4: error: v: expected a distribution such as exp(5ms) or a "
                       "duration such as 5ms, got a map");
    dist_bad("exp(1)", "t.yaml:1:4: error: v: exp(): mean: expected a duration with a unit (e.g. "
                       "5ms), got '1'");
    dist_bad("exponental(1ms)",
             "t.yaml:1:4: error: v: unknown distribution 'exponental' (did you mean "
             "'exponential'?)");
    dist_bad("weibull(1ms)", "t.yaml:1:4: error: v: unknown distribution 'weibull' (known: const, "
                             "constant, exp, exponential, uniform, normal, lognormal, gamma, "
                             "erlang, pareto, hyperexp, empirical)");
    dist_bad("exp(meen=1ms)", "t.yaml:1:4: error: v: exp(): unknown parameter 'meen' (did you "
                              "mean 'mean'?)");
    dist_bad("normal(mean=1ms, shape=2)", "t.yaml:1:4: error: v: normal(): unknown parameter "
                                          "'shape' (it takes: mean, sd)");
    dist_bad("normal(mean=5ms)", "t.yaml:1:4: error: v: normal(): missing parameter 'sd'");
    dist_bad("exp()", "t.yaml:1:4: error: v: exp(): missing parameter 'mean'");
    dist_bad("exp(1ms, 2ms)", "t.yaml:1:4: error: v: exp(): takes 1 parameter by position, got 2 "
                              "(name them, e.g. mean=...)");
    dist_bad("uniform(min=1ms, min=2ms)",
             "t.yaml:1:4: error: v: uniform(): parameter 'min' given twice");
    dist_bad("uniform(min=1ms, 2ms)",
             "t.yaml:1:4: error: v: uniform(): parameter 2 has no name but follows named ones");
    dist_bad("uniform(1ms,)", "t.yaml:1:4: error: v: uniform(): empty parameter 2");
    dist_bad("uniform(=1ms, 2ms)",
             "t.yaml:1:4: error: v: uniform(): parameter name missing before '='");
    dist_bad("exp(1ms", "t.yaml:1:4: error: v: missing ')' in 'exp(1ms'");
    dist_bad("exp(1ms) x", "t.yaml:1:4: error: v: unexpected ' x' after ')'");
    dist_bad("(1ms)", "t.yaml:1:4: error: v: expected name(parameters) such as exp(5ms), got "
                      "'(1ms)'");
    dist_bad("uniform(3ms, 1ms)",
             "t.yaml:1:4: error: v: uniform: max (1ms) must be at least min (3ms)");
    dist_bad("lognormal(mean=5ms, p99=40ms, mu=1)",
             "t.yaml:1:4: error: v: lognormal(): give either mean and p99, or mu, sigma and unit");
    dist_bad("lognormal(mu=1, sigma=0.5)",
             "t.yaml:1:4: error: v: lognormal(): missing parameter 'unit'");
    dist_bad("lognormal(mu=1, sigma=0.5, unit=days)",
             "t.yaml:1:4: error: v: lognormal(): unit: unknown unit 'days' (use ns, us, ms, s, m "
             "or h)");
    dist_bad("lognormal(mu=x, sigma=0.5, unit=ms)",
             "t.yaml:1:4: error: v: lognormal(): mu: expected a number, got 'x'");
    dist_bad("lognormal(5ms, 40)", "t.yaml:1:4: error: v: lognormal(): p99: expected a duration "
                                   "with a unit (e.g. 5ms), got '40'");
    dist_bad("erlang(k=2.5, mean=3ms)",
             "t.yaml:1:4: error: v: erlang(): k: expected a whole number >= 1, got '2.5'");
    dist_bad("erlang(k=1e20, mean=3ms)",
             "t.yaml:1:4: error: v: erlang(): k: 1e20 is more than the maximum 2^63 - 1");
    dist_bad("gamma(k=two, mean=3ms)", "t.yaml:1:4: error: v: gamma(): k: expected a number, got "
                                       "'two'");
    dist_bad("pareto(alpha=2.5, min=-1ms)",
             "t.yaml:1:4: error: v: pareto(): min: invalid duration '-1ms': negative durations "
             "are not allowed");
    dist_bad("hyperexp(p=1.5, mean1=1ms, mean2=2ms)",
             "t.yaml:1:4: error: v: hyperexp(): p: invalid fraction '1.5': must be in [0, 1] (or "
             "a percentage such as 10%)");
    dist_bad("empirical(file=x.csv)",
             "t.yaml:1:4: error: v: empirical(): missing parameter 'column'");
    dist_bad("empirical(file=nonexistent.csv, column=t_ms)",
             "t.yaml:1:4: error: v: /tmp/nonexistent.csv: cannot open: No such file or directory");

    /* an error inside the CSV keeps the CSV's position */
    temp_file("t_ms\n1\nx\n", 9, csv);
    snprintf(spec, sizeof spec, "empirical(file=%s, column=t_ms)", csv + 5);
    snprintf(want, sizeof want, "%s:3:1: error: v: ", csv);
    {
        struct dist d;
        char msg[300];
        memset(&d, 0, sizeof d);
        CU_ASSERT_EQUAL(dist_of(spec, &d, msg, sizeof msg), -1);
        CU_ASSERT_NSTRING_EQUAL(msg, want, strlen(want));
        if (strncmp(msg, want, strlen(want)) != 0) fprintf(stderr, "\n got: %s\n", msg);
    }
    unlink(csv);
}

static void keydist_ok(const char *spec, enum keydist_kind kind, uint64_t n, double a, double b) {
    struct scn_node *node;
    struct scn_doc *doc = one(spec, &node);
    struct keydist k;
    struct err e;
    char msg[300];

    err_clear(&e);
    if (scn_as_keydist(node, &k, &e) != 0) {
        fprintf(stderr, "\n%s: %s\n", spec, err_format(&e, msg, sizeof msg));
        CU_FAIL("keydist spec rejected");
    } else {
        CU_ASSERT_EQUAL(k.kind, kind);
        CU_ASSERT_EQUAL(k.n, n);
        if (kind == KEYDIST_ZIPF) CU_ASSERT_DOUBLE_EQUAL(k.s, a, 1e-12);
        if (kind == KEYDIST_HOTSPOT) {
            CU_ASSERT_DOUBLE_EQUAL(k.hot_keys, a, 1e-12);
            CU_ASSERT_DOUBLE_EQUAL(k.hot_share, b, 1e-12);
        }
    }
    scn_doc_free(doc);
}

static void keydist_bad(const char *spec, const char *want) {
    struct scn_node *node;
    struct scn_doc *doc = one(spec, &node);
    struct keydist k;
    struct err e;

    err_clear(&e);
    CU_ASSERT_EQUAL(scn_as_keydist(node, &k, &e), -1);
    err_is(&e, want);
    scn_doc_free(doc);
}

static void test_keydist(void) {
    keydist_ok("uniform(n=1000)", KEYDIST_UNIFORM, 1000, 0, 0);
    keydist_ok("uniform(1e3)", KEYDIST_UNIFORM, 1000, 0, 0);
    keydist_ok("zipf(s=1.0, n=1000000)", KEYDIST_ZIPF, 1000000, 1.0, 0);
    keydist_ok("zipf(s=0.99, n=1e6)", KEYDIST_ZIPF, 1000000, 0.99, 0);
    keydist_ok("zipf(1.2, 1_000)", KEYDIST_ZIPF, 1000, 1.2, 0);
    keydist_ok("hotspot(n=1000000, hot=1%, share=90%)", KEYDIST_HOTSPOT, 1000000, 0.01, 0.9);
    keydist_ok("hotspot(100, 0.1, 0.5)", KEYDIST_HOTSPOT, 100, 0.1, 0.5);

    keydist_bad("zipf", "t.yaml:1:4: error: v: expected a key distribution such as "
                        "uniform(n=1000) or zipf(s=1.0, n=1000000), got 'zipf'");
    keydist_bad("zpif(s=1, n=10)",
                "t.yaml:1:4: error: v: unknown key distribution 'zpif' (did you mean 'zipf'?)");
    keydist_bad("hotspt(n=10, hot=1%, share=90%)",
                "t.yaml:1:4: error: v: unknown key distribution 'hotspt' (did you mean "
                "'hotspot'?)");
    keydist_bad("uniform(n=0)",
                "t.yaml:1:4: error: v: uniform(): n: expected a whole number >= 1, got '0'");
    keydist_bad("uniform(n=1.5e3x)",
                "t.yaml:1:4: error: v: uniform(): n: expected a whole number >= 1, got '1.5e3x'");
    keydist_bad("zipf(n=1000)", "t.yaml:1:4: error: v: zipf(): missing parameter 's'");
    keydist_bad("zipf(s=0, n=1000)", "t.yaml:1:4: error: v: zipf keys: s must be > 0 (got 0)");
    keydist_bad("zipf(alpha=1, n=1000)",
                "t.yaml:1:4: error: v: zipf(): unknown parameter 'alpha' (it takes: s, n)");
    keydist_bad("hotspot(n=1000, hot=1%)",
                "t.yaml:1:4: error: v: hotspot(): missing parameter 'share'");
    keydist_bad("hotspot(n=1000, hot=200%, share=90%)",
                "t.yaml:1:4: error: v: hotspot(): hot: invalid fraction '200%': must be between "
                "0% and 100%");
    keydist_bad("[1]", "t.yaml:1:4: error: v: expected a key distribution such as "
                       "uniform(n=1000) or zipf(s=1.0, n=1000000), got a list");
    /* n is read exactly and its maximum named (1e18 used to read as "not a whole number") */
    keydist_ok("uniform(n=1e18)", KEYDIST_UNIFORM, 1000000000000000000ULL, 0, 0);
    keydist_ok("zipf(s=1, n=9.007199254740992e15)", KEYDIST_ZIPF, 9007199254740992ULL, 1, 0);
    keydist_bad("zipf(s=1, n=1e18)",
                "t.yaml:1:4: error: v: zipf(): n: 1e18 is more than the maximum 2^53");
    keydist_bad("zipf(s=1, n=9007199254740993)",
                "t.yaml:1:4: error: v: zipf(): n: 9007199254740993 is more than the maximum 2^53");
    keydist_bad("uniform(n=1e19)",
                "t.yaml:1:4: error: v: uniform(): n: 1e19 is more than the maximum 2^63 - 1");
    keydist_bad("hotspot(n=1.5, hot=1%, share=90%)",
                "t.yaml:1:4: error: v: hotspot(): n: expected a whole number >= 1, got '1.5'");
}

void test_scn_register(void) {
    CU_pSuite s = CU_add_suite("scn", NULL, NULL);

    CU_add_test(s, "tree and positions", test_tree);
    CU_add_test(s, "located accessor errors", test_located_errors);
    CU_add_test(s, "load errors", test_load_errors);
    CU_add_test(s, "load from files", test_load_files);
    CU_add_test(s, "--set overrides", test_set);
    CU_add_test(s, "--set adds keys to existing maps", test_set_adds_keys);
    CU_add_test(s, "--set on lists: absent lists, entries past the end", test_set_lists);
    CU_add_test(s, "keys longer than 1024 characters", test_long_keys);
    CU_add_test(s, "did you mean", test_suggest);
    CU_add_test(s, "typed scalars", test_scalars);
    CU_add_test(s, "whole numbers, exactly, with their limits", test_whole_numbers);
    CU_add_test(s, "errors are one line (block scalars)", test_one_line_errors);
    CU_add_test(s, "err_escape", test_err_escape);
    CU_add_test(s, "map entries", test_get);
    CU_add_test(s, "distribution forms", test_dist_forms);
    CU_add_test(s, "distribution errors", test_dist_errors);
    CU_add_test(s, "key distributions", test_keydist);
}
