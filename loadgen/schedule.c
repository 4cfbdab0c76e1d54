/* schedule — intended send times by inverting the integrated rate; see schedule.h. */
#include "schedule.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include "rng.h"
#include "xmalloc.h"

struct sched {
    struct sched_config cfg;
    struct rng rng;
    size_t phase;     /* current phase; == nphases: the hold after the last one */
    int64_t phase_ns; /* start of the current phase */
    double phase_lam; /* L at the start of the current phase */
    double u;         /* L of the last request produced (Poisson) */
    uint64_t next;    /* next global index to consider */
    int over;
};

struct sched *sched_new(const struct sched_config *cfg) {
    struct sched *s = xcalloc(1, sizeof *s);

    assert(cfg->nphases >= 1 && cfg->seg_count >= 1 && cfg->share_count >= 1);
    assert(cfg->seg_index < cfg->seg_count && cfg->share_index < cfg->share_count);
    assert(cfg->end_ns > 0 || cfg->count > 0);
    for (size_t k = 0; k + 1 < cfg->nphases; k++)
        assert(cfg->phases[k].duration_ns > 0);
    s->cfg = *cfg;
    rng_stream(&s->rng, cfg->seed, "archload", "arrivals");
    return s;
}

void sched_free(struct sched *s) {
    free(s);
}

/* Rate at the end of the phases (held for ever after). */
static double final_rate(const struct sched_config *c) {
    const struct sched_phase *last = &c->phases[c->nphases - 1];
    return last->duration_ns ? last->to_per_s : last->from_per_s;
}

/* Phases with a duration (all, or all but an open-ended last one). */
static size_t bounded_phases(const struct sched_config *c) {
    return c->phases[c->nphases - 1].duration_ns ? c->nphases : c->nphases - 1;
}

static double phase_area(const struct sched_phase *p) {
    return (p->from_per_s + p->to_per_s) / 2 * ((double)p->duration_ns / 1e9);
}

/* Offset in s into phase p at which L (from the phase start) reaches u, 0 <= u <= area. */
static double phase_offset(const struct sched_phase *p, double u) {
    double d = (double)p->duration_ns / 1e9, a = p->from_per_s, b = p->to_per_s;
    double disc = a * a + 2 * (b - a) * u / d;

    if (u <= 0) return 0;
    if (disc < 0) disc = 0; /* rounding at the very end of a ramp down to 0 */
    if (a + sqrt(disc) <= 0) return d;
    return 2 * u / (a + sqrt(disc));
}

/* Time (ns) at which L reaches u, advancing s's phase cursor (u never decreases); -1 when
 * never (rate 0 for ever after). */
static int64_t invert(struct sched *s, double u) {
    const struct sched_config *c = &s->cfg;

    while (s->phase < bounded_phases(c)) {
        const struct sched_phase *p = &c->phases[s->phase];
        double area = phase_area(p);
        if (u < s->phase_lam + area)
            return s->phase_ns + llround(phase_offset(p, u - s->phase_lam) * 1e9);
        s->phase_lam += area;
        s->phase_ns += p->duration_ns;
        s->phase++;
    }
    if (final_rate(c) <= 0) return -1;
    return s->phase_ns + llround((u - s->phase_lam) / final_rate(c) * 1e9);
}

static int mine(const struct sched_config *c, uint64_t i) {
    return i % c->seg_count == c->seg_index &&
           (i / c->seg_count) % c->share_count == c->share_index;
}

int sched_next(struct sched *s, uint64_t *index, int64_t *t_ns) {
    const struct sched_config *c = &s->cfg;

    while (!s->over) {
        uint64_t i = s->next;
        int64_t t;
        double u;

        if (c->count && i >= c->count) break;
        if (!c->poisson) {
            /* Jump to the next index of this segment and share: i = seg + N (share + S k). */
            uint64_t n = c->seg_count, m = (uint64_t)c->seg_count * c->share_count;
            uint64_t base = c->seg_index + n * c->share_index;
            i = i <= base ? base : base + (i - base + m - 1) / m * m;
            if (c->count && i >= c->count) break;
            u = (double)i;
        } else {
            s->u += -log(rng_uniform_pos(&s->rng));
            u = s->u;
        }
        s->next = i + 1;
        t = invert(s, u);
        if (t < 0 || (c->end_ns && t >= c->end_ns)) break;
        if (!mine(c, i)) continue;
        *index = i;
        *t_ns = t;
        return 1;
    }
    s->over = 1;
    return 0;
}

double sched_expected(const struct sched_config *cfg, int64_t t_ns) {
    double lam = 0, t = (double)t_ns / 1e9, start = 0;

    for (size_t k = 0; k < bounded_phases(cfg) && t > start; k++) {
        const struct sched_phase *p = &cfg->phases[k];
        double d = (double)p->duration_ns / 1e9, x = t - start < d ? t - start : d;
        lam += p->from_per_s * x + (p->to_per_s - p->from_per_s) * x * x / (2 * d);
        start += d;
    }
    if (t > start) lam += final_rate(cfg) * (t - start);
    if (!cfg->poisson) lam = ceil(lam - 1e-9);
    if (cfg->count && lam > (double)cfg->count) lam = (double)cfg->count;
    return lam;
}
