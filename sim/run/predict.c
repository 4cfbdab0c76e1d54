/* predict — traffic equations, per-station formulas, Jackson sums and MVA; see predict.h. */
#include "predict.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb.h"
#include "service.h"
#include "shard.h"
#include "workload.h"
#include "xmalloc.h"

struct walk {
    const struct net *net;
    size_t cls;
    double *visits; /* per component, for one class */
    int approx, refused;
    char why[160];
};

/* Add w expected visits at c and propagate downstream (the call graph is acyclic). */
static void visit(struct walk *wk, const struct comp *c, double w) {
    wk->visits[c->index] += w;
    if (c->ops == &lb_ops) {
        struct comp *t[4096];
        double share[4096];
        size_t n = lb_targets(c, t, share, 4096);
        enum lb_policy p = lb_policy(c);
        if (p != LB_RANDOM) {
            wk->approx = 1;
            if (!wk->why[0])
                snprintf(wk->why, sizeof wk->why,
                         "'%s' splits by %s, not at random: its targets' arrivals are not Poisson",
                         c->name,
                         p == LB_ROUND_ROBIN || p == LB_WEIGHTED_ROUND_ROBIN ? "turn" : "state");
        }
        for (size_t i = 0; i < n && i < 4096; i++)
            visit(wk, t[i], w * share[i]);
    } else if (c->ops == &service_ops) {
        struct comp *to[256];
        double prob[256];
        size_t n = service_calls(c, wk->cls, to, prob, 256);
        if (n && service_parallel(c)) {
            wk->refused = 1;
            snprintf(wk->why, sizeof wk->why,
                     "'%s' calls in parallel: the response is a maximum, not a sum", c->name);
        }
        if (n && service_hold_worker(c)) {
            wk->refused = 1;
            snprintf(wk->why, sizeof wk->why,
                     "'%s' holds its worker during calls: not a product-form network", c->name);
        }
        if (service_queue_capacity(c) >= 0) {
            wk->refused = 1;
            snprintf(wk->why, sizeof wk->why,
                     "'%s' has a bounded queue: requests are lost, not a Jackson network", c->name);
        }
        for (size_t i = 0; i < n && i < 256; i++)
            visit(wk, to[i], w * prob[i]);
    } else if (c->ops == &shard_ops) {
        struct comp *t[1024];
        size_t n = shard_backends(c, t, 1024);
        if (workload_class_scatter(net_workload(wk->net), wk->cls) != 0) {
            wk->refused = 1;
            snprintf(wk->why, sizeof wk->why,
                     "'%s' scatters requests over shards: the response is a maximum", c->name);
        }
        wk->approx = 1;
        if (!wk->why[0])
            snprintf(wk->why, sizeof wk->why,
                     "'%s' routes by key: shares taken as equal (exact only for uniform keys)",
                     c->name);
        for (size_t i = 0; i < n && i < 1024; i++)
            visit(wk, t[i], w / (double)n);
    } else if (c->ops != &lb_ops) {
        /* caches, queues, replica sets, functions: their effect on the path (hit ratio,
         * asynchrony, replication) has no product-form answer here */
        wk->refused = 1;
        snprintf(wk->why, sizeof wk->why, "a %s ('%s') on the path: no closed form end to end",
                 c->ops->kind, c->name);
    }
}

void run_predict(const struct net *net, struct run_prediction *p) {
    struct workload *wl = net_workload(net);
    size_t nc = net_ncomps(net), ncls = workload_nclasses(wl);
    double *visits = xcalloc(nc * ncls, sizeof *visits); /* [cls][comp] */
    double rate = workload_steady_rate(wl);
    int approx = 0, refused = 0;
    char why[160] = "";

    memset(p, 0, sizeof *p);
    p->open = isfinite(rate);
    p->lambda_per_s = p->open ? rate : NAN;
    p->users = workload_users(wl);
    for (size_t k = 0; k < ncls; k++) {
        struct walk wk = {net, k, visits + k * nc, 0, 0, ""};
        visit(&wk, workload_class_target(wl, k), workload_class_share(wl, k));
        approx |= wk.approx;
        refused |= wk.refused;
        if (wk.refused || (!why[0] && wk.why[0])) snprintf(why, sizeof why, "%s", wk.why);
    }
    p->stations = xcalloc(nc ? nc : 1, sizeof *p->stations);
    for (size_t i = 0; i < nc; i++) {
        const struct comp *c = net_comp(net, i);
        struct run_station_pred *st;
        double v = 0, m1 = 0, m2 = 0;
        int all_exp = 1;

        if (c->ops != &service_ops) continue;
        st = &p->stations[p->nstations++];
        st->comp = c;
        st->servers = service_workers(c);
        for (size_t k = 0; k < ncls; k++) {
            double vk = visits[k * nc + i], mk = service_mean_ns(c, k) / 1e9;
            double vark = service_var_ns2(c, k) / 1e18;
            v += vk;
            m1 += vk * mk;
            m2 += vk * (vark + mk * mk);
            if (vk > 0 && (!service_class_is_exp(c, k) ||
                           fabs(mk - service_mean_ns(c, 0) / 1e9) > 1e-15 * mk))
                all_exp = 0;
        }
        st->queue_cap = service_queue_capacity(c);
        /* Shedding bounds the queue too (by expected wait instead of length). */
        if (st->queue_cap < 0 && service_shed_wait_ns(c) > 0) st->queue_cap = LLONG_MAX;
        if (v <= 0) continue;
        m1 /= v;
        m2 /= v;
        st->mean_s = m1;
        if (!p->open) continue;
        st->lambda_per_s = rate * v;
        st->rho = st->lambda_per_s * m1 / st->servers;
        if (service_autoscaled(c)) {
            snprintf(st->note, sizeof st->note,
                     "autoscaled: capacity follows the load, no fixed-c formula");
            continue;
        }
        if (st->rho >= 1 && st->queue_cap < 0) {
            p->unstable++;
            continue;
        }
        if (!workload_is_poisson(wl)) {
            snprintf(st->note, sizeof st->note, "arrivals are not Poisson: no closed form");
            continue;
        }
        if (service_hold_worker(c) && service_calls(c, 0, NULL, NULL, 0) > 0) {
            snprintf(st->note, sizeof st->note,
                     "holds its worker during downstream calls: busy time includes them");
            continue;
        }
        if (st->queue_cap == LLONG_MAX) {
            snprintf(st->note, sizeof st->note, "load shedding: no closed form");
            continue;
        }
        if (st->queue_cap >= 0) {
            if (all_exp) {
                snprintf(st->model, sizeof st->model, "M/M/%u/%lld", st->servers,
                         st->servers + st->queue_cap);
                st->have = analytic_mmck(st->lambda_per_s, 1.0 / m1, st->servers,
                                         (unsigned long)(st->servers + st->queue_cap), &st->st,
                                         &st->p_block) == 0;
            } else {
                snprintf(st->note, sizeof st->note, "bounded queue with general service");
            }
            continue;
        }
        if (all_exp) {
            snprintf(st->model, sizeof st->model, "M/M/%u", st->servers);
            st->have = analytic_mmc(st->lambda_per_s, 1.0 / m1, st->servers, &st->st) == 0;
        } else if (st->servers == 1) {
            snprintf(st->model, sizeof st->model, "M/G/1");
            st->have = analytic_mg1(st->lambda_per_s, m1, (m2 - m1 * m1) / (m1 * m1), &st->st) == 0;
        } else {
            snprintf(st->note, sizeof st->note, "M/G/%u: no closed form", st->servers);
        }
    }
    if (p->open) {
        double w = 0;
        int ok = !refused && p->unstable == 0;
        for (size_t s = 0; ok && s < p->nstations; s++) {
            const struct run_station_pred *st = &p->stations[s];
            double vis = 0;
            for (size_t k = 0; k < ncls; k++)
                vis += workload_class_share(wl, k) > 0 ? visits[k * nc + st->comp->index] : 0;
            if (vis <= 0) continue;
            if (!st->have) {
                ok = 0;
                snprintf(why, sizeof why, "no formula for '%s': %s", st->comp->name,
                         st->note[0] ? st->note : "general service");
                break;
            }
            w += st->lambda_per_s / rate * st->st.w_s;
        }
        if (p->unstable) snprintf(why, sizeof why, "%zu station(s) unstable", p->unstable);
        p->have_total = ok;
        p->total_approx = approx;
        p->w_total_s = ok ? w : NAN;
    } else if (p->users > 0) {
        /* MVA over single-server exponential stations with demands D = visits x mean. */
        double *d = xcalloc(p->nstations ? p->nstations : 1, sizeof *d);
        size_t k = 0;
        int ok = !refused;
        for (size_t s = 0; ok && s < p->nstations; s++) {
            const struct run_station_pred *st = &p->stations[s];
            double vis = 0;
            for (size_t c = 0; c < ncls; c++)
                vis += visits[c * nc + st->comp->index];
            if (vis <= 0) continue;
            if (st->servers != 1) {
                ok = 0;
                snprintf(why, sizeof why, "'%s' has %u workers: exact MVA here is single-server",
                         st->comp->name, st->servers);
                break;
            }
            d[k++] = vis * st->mean_s;
        }
        if (ok && analytic_mva(p->users, workload_think_mean_ns(wl) / 1e9, d, k, &p->x_per_s,
                               &p->r_s) == 0) {
            p->have_closed = 1;
            for (size_t s = 0; s < p->nstations; s++) {
                struct run_station_pred *st = &p->stations[s];
                double vis = 0;
                for (size_t c = 0; c < ncls; c++)
                    vis += visits[c * nc + st->comp->index];
                st->lambda_per_s = p->x_per_s * vis;
                st->rho = st->lambda_per_s * st->mean_s / st->servers;
            }
        }
        free(d);
    }
    snprintf(p->why_not, sizeof p->why_not, "%s", why);
    free(visits);
}

void run_prediction_free(struct run_prediction *p) {
    if (!p) return;
    free(p->stations);
    p->stations = NULL;
}
