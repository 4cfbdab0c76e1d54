/*
 * rng — the simulator's random numbers: PCG32 generators and the derivation of independent
 * per-(seed, component, purpose) streams from them.
 *
 * Design: PCG32, variant XSH-RR 64/32 (M. E. O'Neill, "PCG: A Family of Simple Fast
 * Space-Efficient Statistically Good Algorithms for Random Number Generation", HMC-CS-2014-0905,
 * 2014): a 64-bit LCG whose output is a xorshift-high plus random rotation of the old state.
 * 16 bytes of state, one multiply per 32 bits, passes TestU01 BigCrush, and has 2^63 selectable
 * streams (the odd increment). rng_seed is exactly the reference pcg32_srandom_r and
 * rng_next_u32 exactly pcg32_random_r, so the reference output can be checked in the tests.
 * The generator is a value struct owned by whoever draws from it (the sim or a component); there
 * is no global generator. The hot path (next, uniform, bounded) is static inline here.
 *
 * Streams: rng_stream hashes the component and purpose names with FNV-1a, mixes the hash with the
 * seed through the SplitMix64 finalizer, and uses the result for both the starting state and the
 * stream increment. A stream is therefore a pure function of (seed, component, purpose): adding,
 * removing or reordering components never shifts another component's numbers (common random
 * numbers across variants of a scenario).
 *
 * Rejected: Mersenne Twister (2.5 KB of state per stream, slow seeding, fails linear-complexity
 * tests); xoshiro256** (fine, but no reference-checked stream selection and 32 bytes of state);
 * one global generator consumed in event order (adding a component would perturb every other
 * component's draws); rand()/random() (hidden global state, unspecified quality).
 */
#ifndef ARCHSIM_RNG_H
#define ARCHSIM_RNG_H

#include <assert.h>
#include <stdint.h>

/* One PCG32 generator. Value struct: copying it forks an identical sequence. inc is always odd
 * once seeded. Initialise with rng_seed or rng_stream before drawing. */
struct rng {
    uint64_t state; /* LCG state */
    uint64_t inc;   /* LCG increment (odd); selects the stream */
};

/* Seed r exactly as the reference pcg32_srandom_r(rng, initstate, initseq) (O'Neill 2014,
 * pcg-c-basic): initstate picks the starting point, initseq the stream (its top bit is ignored).
 * Cannot fail. */
void rng_seed(struct rng *r, uint64_t initstate, uint64_t initseq);

/* Next 32 uniformly distributed bits; exactly the reference pcg32_random_r (O'Neill 2014, PCG32
 * XSH-RR: LCG multiplier 6364136223846793005, output ((s ^ s>>18) >> 27) rotated right by s>>59).
 */
static inline uint32_t rng_next_u32(struct rng *r) {
    uint64_t old = r->state;
    uint32_t xorshifted, rot;

    r->state = old * UINT64_C(6364136223846793005) + r->inc;
    xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
    rot = (uint32_t)(old >> 59);
    return (xorshifted >> rot) | (xorshifted << ((0u - rot) & 31u));
}

/* Next 64 uniform bits: the first 32-bit output in the high half, the second in the low half. */
static inline uint64_t rng_next_u64(struct rng *r) {
    uint64_t hi = rng_next_u32(r);
    return (hi << 32) | rng_next_u32(r);
}

/* Uniform integer in [0, bound), exactly unbiased. bound must be >= 1 (asserted). Lemire's nearly
 * divisionless method (D. Lemire, "Fast Random Integer Generation in an Interval", ACM TOMACS
 * 29(1), 2019): the high half of x * bound, rejecting the (2^32 mod bound) low-half values that
 * would bias it. */
static inline uint32_t rng_bounded(struct rng *r, uint32_t bound) {
    uint64_t m;
    uint32_t low;

    assert(bound > 0);
    m = (uint64_t)rng_next_u32(r) * bound;
    low = (uint32_t)m;
    if (low < bound) {
        uint32_t threshold = (0u - bound) % bound; /* 2^32 mod bound */
        while (low < threshold) {
            m = (uint64_t)rng_next_u32(r) * bound;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/* Uniform double in [0, 1) with 53 random bits (every multiple of 2^-53 equally likely). */
static inline double rng_uniform(struct rng *r) {
    return (double)(rng_next_u64(r) >> 11) * 0x1.0p-53;
}

/* Uniform double in (0, 1): never 0 and never 1, so log(u) and log(1 - u) are finite. Values are
 * the midpoints (k + 1/2) * 2^-52, k in [0, 2^52): smallest 2^-53, largest 1 - 2^-53, mean
 * exactly 1/2. (53 bits plus the half would round the largest value up to 1.0.) */
static inline double rng_uniform_pos(struct rng *r) {
    return ((double)(rng_next_u64(r) >> 12) + 0.5) * 0x1.0p-52;
}

/* SplitMix64 finalizer (G. L. Steele, D. Lea, C. H. Flood, "Fast Splittable Pseudorandom Number
 * Generators", OOPSLA 2014; constants from Vigna's splitmix64.c): a bijection on 64 bits with full
 * avalanche. rng_mix64(0) == 0. Pure function. */
uint64_t rng_mix64(uint64_t x);

/* FNV-1a 64-bit hash of the bytes of s (not its NUL), continuing from h (Fowler, Noll, Vo; offset
 * basis 14695981039346656037, prime 1099511628211). Pass h = 0 to start a new hash: 0 stands for
 * the offset basis, so rng_hash_str(rng_hash_str(0, "ab"), "c") == rng_hash_str(0, "abc").
 * s must not be NULL. Pure function. */
uint64_t rng_hash_str(uint64_t h, const char *s);

/* Seed r as the stream for (seed, component, purpose), e.g. (42, "db", "service"). Different
 * names give statistically independent streams; the result depends on nothing else, so adding a
 * component never changes another's stream. The two names are hashed with a NUL between them, so
 * ("ab", "c") and ("a", "bc") differ. component and purpose must not be NULL (may be ""). */
void rng_stream(struct rng *r, uint64_t seed, const char *component, const char *purpose);

#endif
