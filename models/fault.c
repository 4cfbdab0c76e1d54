/* fault — scheduled and random failures; see fault.h. */
#include "fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static const char *const entry_keys[] = {"at",     "for",   "crash",     "recover", "slow",
                                         "factor", "flush", "partition", "cut",     "drop",
                                         "link",   "mode",  "mtbf",      "mttr",    NULL};
static const char *const modes[] = {"refuse", "blackhole", NULL};

enum entry_kind { E_ACTION, E_LINK, E_RANDOM };

struct target {
    struct comp *comp;
    const char *part; /* NULL or a part name (owned by the doc) */
};

struct entry {
    enum entry_kind kind;
    int64_t at_ns, for_ns; /* for_ns 0: permanent */
    struct comp_action act, undo;
    int has_undo;
    struct target *targets;
    size_t ntargets;
    const char **parts; /* partition: part names, borrowed from the doc */
    /* links */
    struct comp **side_a, **side_b;
    size_t na, nb;
    int cut;
    double drop;
    int active;
    /* random */
    struct dist mtbf, mttr;
    struct rng rng;
};

struct fault_plan {
    struct net *net;
    struct entry *entries;
    size_t n;
    size_t active_links;
    struct rng drop_rng;
};

/* --- parsing ------------------------------------------------------------------------------ */

/* Resolve "name", "group" or "name.part" into targets (every replica of a group). */
static int resolve_target(struct net *net, const struct scn_node *n, struct target **out,
                          size_t *nout, struct err *err) {
    const char *text, *dot;
    char *name;
    struct comp **grp;
    size_t k, len;

    if (scn_as_string(n, &text, err)) return -1;
    dot = strchr(text, '.');
    len = dot ? (size_t)(dot - text) : strlen(text);
    name = xmalloc(len + 1);
    memcpy(name, text, len);
    name[len] = '\0';
    k = net_find_group(net, name, NULL, 0);
    if (k == 0) {
        const char *sug = scn_suggest(name, net_comp_names(net));
        err_set(err, n->file, n->line, n->col, "%s: unknown component '%s'%s%s%s", n->path, name,
                sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
        free(name);
        return -1;
    }
    grp = xcalloc(k, sizeof *grp);
    net_find_group(net, name, grp, k);
    free(name);
    *out = xrealloc(*out, (*nout + k) * sizeof **out);
    for (size_t i = 0; i < k; i++) {
        (*out)[*nout].comp = grp[i];
        (*out)[*nout].part = dot ? dot + 1 : NULL;
        (*nout)++;
    }
    free(grp);
    return 0;
}

static int resolve_side(struct net *net, const struct scn_node *n, struct comp ***side,
                        size_t *nside, struct err *err) {
    struct target *t = NULL;
    size_t nt = 0;

    if (resolve_target(net, n, &t, &nt, err)) {
        free(t);
        return -1;
    }
    *side = xcalloc(nt, sizeof **side);
    for (size_t i = 0; i < nt; i++)
        (*side)[i] = t[i].comp;
    *nside = nt;
    free(t);
    return 0;
}

/* Check every target supports the action (dry run of net_control's kind callback). */
static int check_targets(struct entry *e, const struct scn_node *where, struct err *err) {
    for (size_t i = 0; i < e->ntargets; i++) {
        struct comp_action a = e->act;
        struct err sub;
        a.part = e->targets[i].part;
        err_clear(&sub);
        if (net_control(NULL, e->targets[i].comp, &a, &sub))
            return err_set(err, where->file, where->line, where->col, "%s: %s", where->path,
                           sub.msg);
        if (e->has_undo) {
            a = e->undo;
            a.part = e->targets[i].part;
            if (net_control(NULL, e->targets[i].comp, &a, &sub))
                return err_set(err, where->file, where->line, where->col, "%s: %s", where->path,
                               sub.msg);
        }
    }
    return 0;
}

static int parse_entry(struct fault_plan *p, struct entry *e, const struct scn_node *n,
                       const char *dir, struct err *err) {
    static const char *const verbs[] = {"crash",     "recover", "slow", "flush",
                                        "partition", "cut",     "drop"};
    const struct scn_node *verb = NULL, *v;
    const char *verb_name = NULL;
    int mode = 0;

    if (scn_expect(n, SCN_MAP, err) || scn_check_keys(n, entry_keys, err)) return -1;
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        v = scn_map_get(n, verbs[i]);
        if (!v) continue;
        if (verb)
            return err_set(err, v->file, v->line, v->col,
                           "%s: one action per entry ('%s' and '%s' given)", n->path, verb_name,
                           verbs[i]);
        verb = v;
        verb_name = verbs[i];
    }
    if (!verb)
        return err_set(err, n->file, n->line, n->col,
                       "%s: no action (one of: crash, recover, slow, flush, partition, cut, "
                       "drop)",
                       n->path);
    /* Keys that only make sense with some actions are refused elsewhere, so a typo in the
     * action does not silently drop them. */
    {
        static const struct {
            const char *key, *verbs;
        } only[] = {{"mode", "crash"},
                    {"factor", "slow"},
                    {"link", "drop"},
                    {"for", "crash slow partition cut drop"}};
        for (size_t i = 0; i < sizeof only / sizeof only[0]; i++) {
            const struct scn_node *k = scn_map_get(n, only[i].key);
            char needle[32], hay[64];
            snprintf(needle, sizeof needle, " %s ", verb_name);
            snprintf(hay, sizeof hay, " %s ", only[i].verbs);
            if (k && !strstr(hay, needle))
                return err_set(err, k->file, k->line, k->col,
                               "%s: '%s' does not apply to '%s' (it goes with: %s)", k->path,
                               only[i].key, verb_name, only[i].verbs);
        }
    }
    if (scn_get_duration(n, "for", 0, &e->for_ns, err)) return -1;
    if (scn_get_enum(n, "mode", 0, modes, &mode, err)) return -1;
    if (scn_map_get(n, "mtbf") || scn_map_get(n, "mttr")) {
        if (strcmp(verb_name, "crash") != 0)
            return err_set(err, verb->file, verb->line, verb->col, "%s: mtbf/mttr go with 'crash'",
                           n->path);
        if (scn_map_get(n, "at"))
            return err_set(err, n->file, n->line, n->col,
                           "%s: a random failure (mtbf/mttr) has no 'at'", n->path);
        e->kind = E_RANDOM;
        if (scn_get_dist(n, "mtbf", 1, dir, &e->mtbf, err)) return -1;
        if (scn_get_dist(n, "mttr", 1, dir, &e->mttr, err)) return -1;
    } else if (scn_get_duration(n, "at", 1, &e->at_ns, err)) {
        return -1;
    }
    if (e->kind == E_RANDOM && scn_map_get(n, "for")) {
        const struct scn_node *k = scn_map_get(n, "for");
        return err_set(err, k->file, k->line, k->col, "%s: a random failure lasts mttr, not 'for'",
                       k->path);
    }
    if (strcmp(verb_name, "cut") == 0 || strcmp(verb_name, "drop") == 0) {
        const struct scn_node *ends = strcmp(verb_name, "cut") == 0 ? verb : scn_map_get(n, "link");
        if (e->kind == E_RANDOM)
            return err_set(err, n->file, n->line, n->col, "%s: links fail only at a time", n->path);
        e->kind = E_LINK;
        if (!ends)
            return err_set(err, n->file, n->line, n->col,
                           "%s: 'drop' needs 'link: [a, b]' (the two components)", n->path);
        if (scn_expect(ends, SCN_SEQ, err)) return -1;
        if (ends->n != 2)
            return err_set(err, ends->file, ends->line, ends->col,
                           "%s: a link has two ends, e.g. [api, db]", ends->path);
        if (resolve_side(p->net, ends->items[0], &e->side_a, &e->na, err)) return -1;
        if (resolve_side(p->net, ends->items[1], &e->side_b, &e->nb, err)) return -1;
        e->cut = strcmp(verb_name, "cut") == 0;
        if (!e->cut && scn_as_fraction(verb, &e->drop, err)) return -1;
        return 0;
    }
    if (strcmp(verb_name, "partition") == 0) {
        const char *first_comp = NULL;
        if (scn_expect(verb, SCN_SEQ, err)) return -1;
        if (verb->n == 0)
            return err_set(err, verb->file, verb->line, verb->col,
                           "%s: name the parts on one side, e.g. [db.primary]", verb->path);
        e->parts = xcalloc(verb->n, sizeof *e->parts);
        for (size_t i = 0; i < verb->n; i++) {
            struct target *t = NULL;
            size_t nt = 0;
            if (resolve_target(p->net, verb->items[i], &t, &nt, err)) {
                free(t);
                return -1;
            }
            if (nt != 1 || !t[0].part) {
                free(t);
                return err_set(err, verb->items[i]->file, verb->items[i]->line, verb->items[i]->col,
                               "%s: a partition names parts of one component "
                               "(e.g. db.primary, db.replica[2]); use 'cut' between components",
                               verb->items[i]->path);
            }
            if (first_comp && strcmp(first_comp, t[0].comp->name) != 0) {
                free(t);
                return err_set(err, verb->items[i]->file, verb->items[i]->line, verb->items[i]->col,
                               "%s: all parts of a partition belong to one component",
                               verb->items[i]->path);
            }
            first_comp = t[0].comp->name;
            e->parts[i] = t[0].part;
            if (i == 0) {
                e->targets = xcalloc(1, sizeof *e->targets);
                e->targets[0].comp = t[0].comp;
                e->ntargets = 1;
            }
            free(t);
        }
        e->act = (struct comp_action){.kind = ACT_PARTITION, .group = e->parts, .ngroup = verb->n};
        e->undo = (struct comp_action){.kind = ACT_HEAL, .group = e->parts, .ngroup = verb->n};
        e->has_undo = e->for_ns > 0;
        return check_targets(e, verb, err);
    }
    if (resolve_target(p->net, verb, &e->targets, &e->ntargets, err)) return -1;
    if (strcmp(verb_name, "crash") == 0) {
        e->act = (struct comp_action){.kind = ACT_CRASH, .blackhole = mode == 1};
        e->undo = (struct comp_action){.kind = ACT_RECOVER};
        e->has_undo = e->for_ns > 0 || e->kind == E_RANDOM;
    } else if (strcmp(verb_name, "recover") == 0) {
        e->act = (struct comp_action){.kind = ACT_RECOVER};
    } else if (strcmp(verb_name, "slow") == 0) {
        double f = 0;
        if (scn_get_double(n, "factor", 1, 1e-6, 1e6, &f, err)) return -1;
        e->act = (struct comp_action){.kind = ACT_SLOW, .factor = f};
        e->undo = (struct comp_action){.kind = ACT_RESTORE};
        e->has_undo = e->for_ns > 0;
    } else {
        e->act = (struct comp_action){.kind = ACT_FLUSH};
    }
    return check_targets(e, verb, err);
}

struct fault_plan *fault_plan_new(struct net *net, const struct scn_node *list, const char *dir,
                                  struct err *err) {
    struct fault_plan *p = xcalloc(1, sizeof *p);

    p->net = net;
    net_rng(net, &p->drop_rng, "failures", "drop");
    if (scn_expect(list, SCN_SEQ, err)) goto fail;
    p->entries = xcalloc(list->n ? list->n : 1, sizeof *p->entries);
    for (size_t i = 0; i < list->n; i++) {
        char purpose[300];
        const struct scn_node *crash;
        p->n++;
        if (parse_entry(p, &p->entries[i], list->items[i], dir, err)) goto fail;
        /* Random failure streams are named by their target, so adding or reordering entries
         * does not change the others' failure times. */
        crash = scn_map_get(list->items[i], "crash");
        snprintf(purpose, sizeof purpose, "random crash %s",
                 crash && crash->type == SCN_SCALAR ? crash->value : "?");
        net_rng(net, &p->entries[i].rng, "failures", purpose);
    }
    return p;
fail:
    fault_plan_free(p);
    return NULL;
}

void fault_plan_free(struct fault_plan *p) {
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) {
        struct entry *e = &p->entries[i];
        free(e->targets);
        free(e->parts);
        free(e->side_a);
        free(e->side_b);
        dist_free(&e->mtbf);
        dist_free(&e->mttr);
    }
    free(p->entries);
    free(p);
}

/* --- running ------------------------------------------------------------------------------ */

static void apply(struct sim *sim, struct entry *e, const struct comp_action *a) {
    for (size_t i = 0; i < e->ntargets; i++) {
        struct comp_action x = *a;
        if (!x.group) x.part = e->targets[i].part;
        /* Validated when the scenario loaded, so it cannot fail here. */
        net_control(sim, e->targets[i].comp, &x, NULL);
    }
}

static void on_undo(struct sim *sim, void *a, void *b) {
    struct fault_plan *p = a;
    struct entry *e = b;

    if (e->kind == E_LINK) {
        e->active = 0;
        p->active_links--;
        net_log(p->net, e->side_a[0], e->cut ? "heal" : "link-ok", "link to %s",
                e->side_b[0]->group);
        return;
    }
    apply(sim, e, &e->undo);
}

static void on_random_crash(struct sim *sim, void *a, void *b);

static void on_random_repair(struct sim *sim, void *a, void *b) {
    struct entry *e = b;
    double up = dist_sample(&e->mtbf, &e->rng);

    apply(sim, e, &e->undo);
    sim_schedule(sim, sim_now(sim) + dist_ns(up), on_random_crash, a, e);
}

static void on_random_crash(struct sim *sim, void *a, void *b) {
    struct entry *e = b;
    double down = dist_sample(&e->mttr, &e->rng);

    apply(sim, e, &e->act);
    sim_schedule(sim, sim_now(sim) + dist_ns(down), on_random_repair, a, e);
}

static void on_action(struct sim *sim, void *a, void *b) {
    struct fault_plan *p = a;
    struct entry *e = b;

    if (e->kind == E_LINK) {
        e->active = 1;
        p->active_links++;
        if (e->cut)
            net_log(p->net, e->side_a[0], "cut", "link to %s", e->side_b[0]->group);
        else
            net_log(p->net, e->side_a[0], "drop", "%.3g%% of calls on the link to %s",
                    e->drop * 100, e->side_b[0]->group);
    } else {
        apply(sim, e, &e->act);
    }
    if (e->for_ns > 0) sim_schedule(sim, sim_now(sim) + e->for_ns, on_undo, p, e);
}

void fault_plan_start(struct fault_plan *p) {
    struct sim *sim = net_sim(p->net);
    int64_t now = sim_now(sim);

    for (size_t i = 0; i < p->n; i++) {
        struct entry *e = &p->entries[i];
        if (e->kind == E_RANDOM) {
            double up = dist_sample(&e->mtbf, &e->rng);
            sim_schedule(sim, now + dist_ns(up), on_random_crash, p, e);
        } else {
            /* Failures act before anything else at their instant. */
            sim_schedule_prio(sim, e->at_ns > now ? e->at_ns : now, SIM_PRIO_FIRST + 2, on_action,
                              p, e);
        }
    }
}

static int in_side(struct comp *const *side, size_t n, const struct comp *c) {
    for (size_t i = 0; i < n; i++)
        if (side[i] == c) return 1;
    return 0;
}

int fault_link_blocks(struct fault_plan *p, struct sim *sim, const struct comp *from,
                      const struct comp *to) {
    (void)sim;
    if (!p->active_links || !from) return 0;
    for (size_t i = 0; i < p->n; i++) {
        const struct entry *e = &p->entries[i];
        if (e->kind != E_LINK || !e->active) continue;
        if (!((in_side(e->side_a, e->na, from) && in_side(e->side_b, e->nb, to)) ||
              (in_side(e->side_b, e->nb, from) && in_side(e->side_a, e->na, to))))
            continue;
        if (e->cut) return 1;
        if (rng_uniform(&p->drop_rng) < e->drop) return 1;
    }
    return 0;
}
