/* rng — PCG32 generators and per-(seed, component, purpose) streams; see rng.h. */
#include "rng.h"

#define FNV_OFFSET UINT64_C(14695981039346656037)
#define FNV_PRIME  UINT64_C(1099511628211)
/* 2^64 / golden ratio: the SplitMix64 state increment (Steele, Lea, Flood 2014). */
#define SPLITMIX_GAMMA UINT64_C(0x9e3779b97f4a7c15)

void rng_seed(struct rng *r, uint64_t initstate, uint64_t initseq) {
    /* pcg32_srandom_r: advance once from 0 so the first output already depends on initstate. */
    r->state = 0;
    r->inc = (initseq << 1) | 1u;
    (void)rng_next_u32(r);
    r->state += initstate;
    (void)rng_next_u32(r);
}

uint64_t rng_mix64(uint64_t x) {
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

/* FNV-1a over the bytes of s, from raw state h (no "0 means start" convention). */
static uint64_t fnv1a(uint64_t h, const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= FNV_PRIME;
    }
    return h;
}

uint64_t rng_hash_str(uint64_t h, const char *s) {
    assert(s);
    return fnv1a(h ? h : FNV_OFFSET, s);
}

void rng_stream(struct rng *r, uint64_t seed, const char *component, const char *purpose) {
    uint64_t h, k;

    assert(component && purpose);
    /* Hash "component\0purpose": the NUL (xor 0, then multiply) keeps the split unambiguous. */
    h = fnv1a(FNV_OFFSET, component) * FNV_PRIME;
    h = fnv1a(h, purpose);
    /* Combine with the seed through two avalanching bijections so that nearby seeds and
     * similar names land far apart, then take the first two SplitMix64 outputs from k as the
     * PCG starting state and stream selector. Both depend on every bit of (seed, names), which
     * avoids the correlation between PCG streams whose increments differ only slightly. */
    k = rng_mix64(seed ^ rng_mix64(h));
    rng_seed(r, rng_mix64(k + SPLITMIX_GAMMA), rng_mix64(k + 2 * SPLITMIX_GAMMA));
}
