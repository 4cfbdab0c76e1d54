/* plan — the resolved description of a load run; see plan.h. */
#include "plan.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rng.h"
#include "run.h"
#include "scn.h"
#include "units.h"
#include "workload.h"
#include "xmalloc.h"

void plan_init(struct plan *p) {
    memset(p, 0, sizeof *p);
    p->threads = 1;
    p->timeout_ns = INT64_C(10000000000);
    p->interval_ns = INT64_C(1000000000);
    p->seed = 1;
    p->seg_count = 1;
    p->method = xstrdup("GET");
    p->path = xstrdup("/");
    p->name = xstrdup("archload");
}

static void free_classes(struct plan *p) {
    for (size_t i = 0; i < p->nclasses; i++) {
        free(p->classes[i].name);
        free(p->classes[i].method);
        free(p->classes[i].path);
        http_tmpl_free(p->classes[i].tmpl);
    }
    free(p->classes);
    p->classes = NULL;
    p->nclasses = 0;
}

void plan_free(struct plan *p) {
    free(p->url);
    free(p->host);
    free(p->port);
    free(p->path);
    free(p->host_header);
    free(p->cacert);
    free(p->phases);
    if (p->has_think) dist_free(&p->think);
    free(p->method);
    for (size_t i = 0; i < p->nheaders; i++)
        free(p->headers[i]);
    free(p->headers);
    free(p->body);
    free_classes(p);
    free(p->name);
    free(p->component);
    memset(p, 0, sizeof *p);
}

static char *dupn(const char *s, size_t n) {
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

int plan_set_url(struct plan *p, const char *url, struct err *err) {
    const char *rest, *auth_end, *host, *host_end, *port = NULL;
    size_t port_len = 0;
    int v6 = 0;
    char buf[600];

    if (strncmp(url, "http://", 7) == 0) {
        p->tls = 0;
        rest = url + 7;
    } else if (strncmp(url, "https://", 8) == 0) {
        p->tls = 1;
        rest = url + 8;
    } else {
        return err_set(err, NULL, 0, 0, "URL must start with http:// or https://");
    }
    auth_end = rest + strcspn(rest, "/?#");
    for (const char *q = rest; q < auth_end; q++)
        if (*q == '@')
            return err_set(err, NULL, 0, 0,
                           "credentials in the URL are not supported (and not shown); use -H "
                           "'Authorization: ...'");
    host = rest;
    if (*host == '[') {
        v6 = 1;
        host_end = memchr(host, ']', (size_t)(auth_end - host));
        if (!host_end) return err_set(err, NULL, 0, 0, "URL: unterminated '[' in the host");
        host++;
        if (host_end + 1 < auth_end) {
            if (host_end[1] != ':') return err_set(err, NULL, 0, 0, "URL: bad port");
            port = host_end + 2;
            port_len = (size_t)(auth_end - port);
        }
    } else {
        host_end = memchr(host, ':', (size_t)(auth_end - host));
        if (host_end) {
            port = host_end + 1;
            port_len = (size_t)(auth_end - port);
        } else {
            host_end = auth_end;
        }
    }
    if (host_end == host) return err_set(err, NULL, 0, 0, "URL: empty host");
    /* Released and cleared together: an error below leaves p consistent for plan_free. */
    free(p->host);
    free(p->port);
    free(p->path);
    free(p->host_header);
    free(p->url);
    free(p->component);
    p->host = p->port = p->path = p->host_header = p->url = p->component = NULL;
    p->host = dupn(host, (size_t)(host_end - host));
    if (port) {
        char *end;
        long v;
        p->port = dupn(port, port_len);
        errno = 0;
        v = strtol(p->port, &end, 10);
        if (!port_len || *end || errno || v < 1 || v > 65535)
            return err_set(err, NULL, 0, 0, "URL: bad port '%s'", p->port);
    } else {
        p->port = xstrdup(p->tls ? "443" : "80");
    }
    if (*auth_end == '/' || *auth_end == '?') {
        size_t n = strcspn(auth_end, "#");
        if (*auth_end == '?') {
            p->path = xmalloc(n + 2);
            p->path[0] = '/';
            memcpy(p->path + 1, auth_end, n);
            p->path[n + 1] = 0;
        } else {
            p->path = dupn(auth_end, n);
        }
    } else {
        p->path = xstrdup("/");
    }
    if (port && strcmp(p->port, p->tls ? "443" : "80") != 0)
        snprintf(buf, sizeof buf, v6 ? "[%s]:%s" : "%s:%s", p->host, p->port);
    else
        snprintf(buf, sizeof buf, v6 ? "[%s]" : "%s", p->host);
    p->host_header = xstrdup(buf);
    snprintf(buf, sizeof buf, v6 ? "[%s]:%s" : "%s:%s", p->host, p->port);
    p->component = xstrdup(buf);
    snprintf(buf, sizeof buf, "%s://%s%s", p->tls ? "https" : "http", p->host_header, p->path);
    p->url = xstrdup(buf);
    return 0;
}

int plan_parse_rate(const char *s, double *per_s, struct err *err) {
    char why[128];
    char *end;

    if (strchr(s, '/')) {
        if (units_parse_rate(s, per_s, why, sizeof why))
            return err_set(err, NULL, 0, 0, "rate '%s': %s", s, why);
        return 0;
    }
    errno = 0;
    *per_s = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(*per_s) || *per_s < 0)
        return err_set(err, NULL, 0, 0, "rate '%s': expected a number of requests per second", s);
    return 0;
}

int plan_check_rate(double per_s, struct err *err) {
    char got[64];

    if (per_s <= PLAN_MAX_RATE) return 0;
    return err_set(err, NULL, 0, 0,
                   "at most %.0f/s from one process, got %s (use --segment I/N over several "
                   "machines for more)",
                   PLAN_MAX_RATE, units_format_rate(per_s, got, sizeof got));
}

int plan_parse_phase(const char *s, struct sched_phase *out, struct err *err) {
    struct err e;
    const char *at = strchr(s, '@'), *dots;
    char dur[64], r1[64];
    char why[128];

    if (!at || (size_t)(at - s) >= sizeof dur)
        return err_set(err, NULL, 0, 0, "phase '%s': expected DURATION@RATE[..RATE]", s);
    memcpy(dur, s, (size_t)(at - s));
    dur[at - s] = 0;
    if (units_parse_duration(dur, &out->duration_ns, why, sizeof why))
        return err_set(err, NULL, 0, 0, "phase '%s': duration: %s", s, why);
    if (out->duration_ns <= 0)
        return err_set(err, NULL, 0, 0, "phase '%s': duration must be positive", s);
    dots = strstr(at + 1, "..");
    if (dots) {
        if ((size_t)(dots - at - 1) >= sizeof r1)
            return err_set(err, NULL, 0, 0, "phase '%s': rate too long", s);
        memcpy(r1, at + 1, (size_t)(dots - at - 1));
        r1[dots - at - 1] = 0;
        if (plan_parse_rate(r1, &out->from_per_s, err)) return -1;
        if (plan_parse_rate(dots + 2, &out->to_per_s, err)) return -1;
    } else {
        if (plan_parse_rate(at + 1, &out->from_per_s, err)) return -1;
        out->to_per_s = out->from_per_s;
    }
    /* Both ends: a ramp passes through every rate between them. */
    if (plan_check_rate(out->from_per_s, &e) || plan_check_rate(out->to_per_s, &e))
        return err_set(err, NULL, 0, 0, "phase '%s': %s", s, e.msg);
    return 0;
}

void plan_add_phase(struct plan *p, const struct sched_phase *ph) {
    p->phases = xrealloc(p->phases, (p->nphases + 1) * sizeof *p->phases);
    p->phases[p->nphases++] = *ph;
}

void plan_add_class(struct plan *p, const char *name, double weight, int write, const char *method,
                    const char *path) {
    struct plan_class *c;

    p->classes = xrealloc(p->classes, (p->nclasses + 1) * sizeof *p->classes);
    c = &p->classes[p->nclasses++];
    memset(c, 0, sizeof *c);
    c->name = xstrdup(name);
    c->weight = weight;
    c->write = write;
    c->method = method ? xstrdup(method) : NULL;
    c->path = path ? xstrdup(path) : NULL;
}

/* A scenario rate above PLAN_MAX_RATE, as an error at the value's position (the file, or
 * "--set" for an override). */
static int scenario_rate_cap(const struct scn_node *n, double per_s, struct err *err) {
    struct err e;

    if (!n || plan_check_rate(per_s, &e) == 0) return 0;
    return err_set(err, n->file, n->line, n->col, "%s: archload sends %s", n->path, e.msg);
}

/* The scenario's open-model rate or phases, read from the (already validated) workload node. */
static int scenario_phases(struct plan *p, const struct scn_node *wl, struct err *err) {
    const struct scn_node *rate = scn_map_get(wl, "rate"), *phases = scn_map_get(wl, "phases");

    free(p->phases);
    p->phases = NULL;
    p->nphases = 0;
    if (rate) {
        struct sched_phase ph = {0, 0, 0};
        if (scn_as_rate(rate, &ph.from_per_s, err)) return -1;
        if (scenario_rate_cap(rate, ph.from_per_s, err)) return -1;
        ph.to_per_s = ph.from_per_s;
        plan_add_phase(p, &ph);
        return 0;
    }
    for (size_t i = 0; phases && i < phases->n; i++) {
        const struct scn_node *n = phases->items[i];
        struct sched_phase ph = {0, 0, 0};
        if (scn_get_duration(n, "duration", 0, &ph.duration_ns, err)) return -1;
        if (scn_get_rate(n, "rate", 1, &ph.from_per_s, err)) return -1;
        ph.to_per_s = ph.from_per_s;
        if (scn_get_rate(n, "to", 0, &ph.to_per_s, err)) return -1;
        if (scenario_rate_cap(scn_map_get(n, "rate"), ph.from_per_s, err) ||
            scenario_rate_cap(scn_map_get(n, "to"), ph.to_per_s, err))
            return -1;
        if (ph.duration_ns == 0 && i + 1 < phases->n) continue; /* refused by the validator */
        plan_add_phase(p, &ph);
        if (ph.duration_ns == 0) break;
    }
    return 0;
}

int plan_load_scenario(struct plan *p, const char *path, const char *const *sets, size_t nsets,
                       struct err *err) {
    struct run_scenario s;
    struct run_checked chk = {NULL, NULL};
    const struct scn_node *wln;
    struct workload *wl;
    int rc = -1;

    memset(&s, 0, sizeof s);
    if (run_scenario_load(&s, path, sets, nsets, err)) goto fail;
    if (run_check(&s, &chk, err)) goto fail;
    wl = net_workload(chk.net);
    wln = scn_map_get(scn_doc_root(s.doc), "workload");
    free(p->name);
    p->name = xstrdup(s.name ? s.name : "scenario");
    p->duration_ns = s.duration_ns;
    p->count = 0;
    p->warmup_ns = s.warmup_ns;
    p->interval_ns = s.interval_ns > 0 ? s.interval_ns : p->interval_ns;
    p->seed = s.seed;
    if (workload_users(wl)) {
        p->open = 0;
        p->connections = workload_users(wl);
        if (p->has_think) dist_free(&p->think);
        p->has_think = 0;
        if (scn_map_get(wln, "think_time")) {
            if (scn_get_dist(wln, "think_time", 1, scn_doc_dir(s.doc), &p->think, err)) goto fail;
            p->has_think = 1;
        }
    } else {
        p->open = 1;
        p->poisson = workload_is_poisson(wl);
        if (scenario_phases(p, wln, err)) goto fail;
    }
    free_classes(p);
    for (size_t i = 0; i < workload_nclasses(wl); i++)
        plan_add_class(p, workload_class_name(wl, i), workload_class_share(wl, i),
                       workload_class_is_write(wl, i), NULL, NULL);
    p->has_keys = 0;
    if (scn_map_get(wln, "keys")) {
        if (scn_as_keydist(scn_map_get(wln, "keys"), &p->keys, err)) goto fail;
        p->has_keys = 1;
    }
    rc = 0;
fail:
    run_check_free(&chk);
    run_scenario_free(&s);
    return rc;
}

int plan_finish(struct plan *p, struct err *err) {
    double total = 0, cum = 0;

    if (!p->host) return err_set(err, NULL, 0, 0, "no URL given");
    if (conn_resolve(p->host, p->port, &p->addr, err)) return -1;
    if (p->nclasses == 0) plan_add_class(p, p->component, 1, 0, NULL, NULL);
    for (size_t i = 0; i < p->nclasses; i++)
        total += p->classes[i].weight;
    for (size_t i = 0; i < p->nclasses; i++) {
        struct plan_class *c = &p->classes[i];
        const char *method = c->method                                     ? c->method
                             : (c->write && strcmp(p->method, "GET") == 0) ? "POST"
                                                                           : p->method;
        struct err e2;
        cum += c->weight / total;
        c->cum = i + 1 == p->nclasses ? 1.0 : cum;
        http_tmpl_free(c->tmpl);
        c->tmpl =
            http_tmpl_new(method, c->path ? c->path : p->path, p->host_header,
                          (const char *const *)p->headers, p->nheaders, p->body, p->body_len, &e2);
        if (!c->tmpl) return err_set(err, NULL, 0, 0, "class %s: %s", c->name, e2.msg);
    }
    return 0;
}

void plan_pick(const struct plan *p, uint64_t i, size_t *cls, uint64_t *key) {
    struct rng r;
    size_t c = 0;

    rng_seed(&r, rng_mix64(p->seed ^ rng_mix64(i + 1)), p->seed);
    if (p->nclasses > 1) {
        double u = rng_uniform(&r);
        while (c + 1 < p->nclasses && u >= p->classes[c].cum)
            c++;
    }
    *cls = c;
    *key = p->has_keys ? keydist_sample(&p->keys, &r) : i;
}
