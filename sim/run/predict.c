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

/* Note why component c, which the class reaches, makes the prediction approximate or
 * impossible (the first approximation is kept; a refusal overrides it). */
static void judge(struct walk *wk, const struct comp *c, size_t ncalls) {
    if (c->ops == &lb_ops) {
        enum lb_policy p = lb_policy(c);
        if (p != LB_RANDOM) {
            wk->approx = 1;
            if (!wk->why[0])
                snprintf(wk->why, sizeof wk->why,
                         "'%s' splits by %s, not at random: its targets' arrivals are not Poisson",
                         c->name,
                         p == LB_ROUND_ROBIN || p == LB_WEIGHTED_ROUND_ROBIN ? "turn" : "state");
        }
    } else if (c->ops == &service_ops) {
        if (ncalls && service_parallel(c)) {
            wk->refused = 1;
            snprintf(wk->why, sizeof wk->why,
                     "'%s' calls in parallel: the response is a maximum, not a sum", c->name);
        }
        if (ncalls && service_hold_worker(c)) {
            wk->refused = 1;
            snprintf(wk->why, sizeof wk->why,
                     "'%s' holds its worker during calls: not a product-form network", c->name);
        }
        if (service_queue_capacity(c) >= 0) {
            wk->refused = 1;
            snprintf(wk->why, sizeof wk->why,
                     "'%s' has a bounded queue: requests are lost, not a Jackson network", c->name);
        }
    } else if (c->ops == &shard_ops) {
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
    } else {
        /* caches, queues, replica sets, functions: their effect on the path (hit ratio,
         * asynchrony, replication) has no product-form answer here */
        wk->refused = 1;
        snprintf(wk->why, sizeof wk->why, "a %s ('%s') on the path: no closed form end to end",
                 c->ops->kind, c->name);
    }
}

/* The traffic equations for one class: w expected visits enter at `entry`; each component's
 * visits pass to those it calls (balancer: by share; service: by call probability, each call
 * made; shard: equal shares). The call graph is acyclic, so one pass in topological order
 * (net_topo_order) solves them: linear in the edges however the paths branch and rejoin, and
 * no recursion (a chain of thousands of components is fine). */
static void traffic(struct walk *wk, const struct comp *entry, double w) {
    size_t nc = net_ncomps(wk->net);
    const size_t *order = net_topo_order(wk->net);
    unsigned char *reached = xcalloc(nc ? nc : 1, 1);
    struct comp **to = NULL;
    double *share = NULL;
    size_t cap = 0;

    wk->visits[entry->index] += w;
    reached[entry->index] = 1;
    for (size_t o = 0; o < nc; o++) {
        const struct comp *c = net_comp(wk->net, order[o]);
        double v = wk->visits[c->index];
        size_t n = 0;

        if (!reached[c->index]) continue;
        if (c->ops == &lb_ops)
            n = lb_targets(c, to, share, 0);
        else if (c->ops == &service_ops)
            n = service_calls(c, wk->cls, to, share, 0);
        else if (c->ops == &shard_ops)
            n = shard_backends(c, to, 0);
        if (n > cap) {
            cap = n;
            to = xrealloc(to, cap * sizeof *to);
            share = xrealloc(share, cap * sizeof *share);
        }
        if (c->ops == &lb_ops) {
            lb_targets(c, to, share, n);
        } else if (c->ops == &service_ops) {
            service_calls(c, wk->cls, to, share, n);
        } else if (c->ops == &shard_ops) {
            shard_backends(c, to, n);
            for (size_t i = 0; i < n; i++)
                share[i] = 1.0 / (double)n;
        }
        judge(wk, c, c->ops == &service_ops ? n : 0);
        for (size_t i = 0; i < n; i++) {
            wk->visits[to[i]->index] += v * share[i];
            reached[to[i]->index] = 1;
        }
    }
    free(to);
    free(share);
    free(reached);
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
        traffic(&wk, workload_class_target(wl, k), workload_class_share(wl, k));
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
        /* An idle worker's wake-up lengthens the busy periods it starts; only the one-server
         * mean has a formula (Welch 1964), not the waits the table prints. */
        if (service_wakeup_ns(c) > 0) {
            snprintf(st->note, sizeof st->note, "wakeup of idle workers: no closed form");
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
            if (service_wakeup_ns(st->comp) > 0) {
                ok = 0;
                snprintf(why, sizeof why, "'%s' has a wakeup: MVA has no idle-worker delay",
                         st->comp->name);
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
