/* SHA256d nonce scanner on the SHA extensions (SHA-NI): six nonces hashed side by side, since each round
   instruction waits on the previous one and independent streams fill that wait. Rounds 0 and 1 of the
   first block do not depend on the nonce and run once per call. */
#include "CHashKernels.h"
#include "sha256_common.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

#define SHANI __attribute__((target("sha,sse4.1")))

/* A state held the way the round instruction wants it: ABEF and CDGH (A in the highest word). */
typedef struct {
    __m128i abef, cdgh;
} nm_shani_state;

SHANI static inline nm_shani_state nm_shani_load(const uint32_t h[8]) {
    return (nm_shani_state){_mm_set_epi32((int)h[0], (int)h[1], (int)h[4], (int)h[5]),
                            _mm_set_epi32((int)h[2], (int)h[3], (int)h[6], (int)h[7])};
}

/* Message words 4g..4g+3 from the previous sixteen (m[g & 3] holds words 4g-16.., and is replaced). */
SHANI static inline __m128i nm_shani_schedule(__m128i m[4], int g) {
    __m128i w = _mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]);
    w = _mm_add_epi32(w, _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3], 4));
    w = _mm_sha256msg2_epu32(w, m[(g + 3) & 3]);
    m[g & 3] = w;
    return w;
}

/* Word E after round 60 from the state after round 59 and wk = message words 60..63 plus their constants:
   E60 = D59 + T1, T1 = H59 + S1(E59) + Ch(E59, F59, G59) + K60 + W60. */
SHANI static inline uint32_t nm_shani_e60(nm_shani_state s, __m128i wk) {
    uint32_t e = (uint32_t)_mm_extract_epi32(s.abef, 1), f = (uint32_t)_mm_cvtsi128_si32(s.abef);
    uint32_t g = (uint32_t)_mm_extract_epi32(s.cdgh, 1), h = (uint32_t)_mm_cvtsi128_si32(s.cdgh);
    uint32_t d = (uint32_t)_mm_extract_epi32(s.cdgh, 2);
    return d + h + NM_S1(e) + NM_CH(e, f, g) + (uint32_t)_mm_cvtsi128_si32(wk);
}

/* The state after rounds 0..3 of the header's second block with message word 3 (the nonce) taken as zero.
   Round 3 adds its message word to T1 alone, and T1 goes into A and E alone, so the state for a nonce is
   this one with the nonce word added to A and E. */
SHANI static inline nm_shani_state nm_shani_rounds0to3(const uint32_t midstate[8], const uint32_t tail[3]) {
    uint32_t v[8], w[4] = {tail[0], tail[1], tail[2], 0};
    for (int i = 0; i < 8; i++) v[i] = midstate[i];
    for (int i = 0; i < 4; i++) {
        uint32_t t1 = v[7] + NM_S1(v[4]) + NM_CH(v[4], v[5], v[6]) + nm_k[i] + w[i];
        uint32_t t2 = NM_S0(v[0]) + NM_MAJ(v[0], v[1], v[2]);
        v[7] = v[6]; v[6] = v[5]; v[5] = v[4]; v[4] = v[3] + t1; v[3] = v[2]; v[2] = v[1]; v[1] = v[0]; v[0] = t1 + t2;
    }
    return nm_shani_load(v);
}

/* Rounds of NS independent blocks, round groups first_group .. 15 (four rounds a group). m[k][0..3] hold
   stream k's message words 0..15 (lane i = word 4j+i) and are clobbered. With first_group = 1 the caller has
   done rounds 0..3 (s[k] holds the state after round 3). With last_e set, the last group's rounds do not run:
   the result is word E after round 60, which is the final H before the feed-forward, computed from the state
   after round 59 with scalar instructions (the integer units are idle while the SHA unit works, and the round
   instruction is what limits the rate); otherwise all rounds run and the state is left without the
   feed-forward. The streams' instructions alternate, so each round instruction's latency is filled by the
   other streams'. */
#define NM_SHANI_ROUNDS(NS, s, m, first_group, last_e, e_out)                                                       \
    do {                                                                                                           \
        NM_UNROLL for (int g = 0; g < 16; g++) {                                                                   \
            __m128i k = _mm_loadu_si128((const __m128i *)(nm_k + 4 * g));                                          \
            __m128i wk[NS];                                                                                        \
            NM_UNROLL for (int j = 0; j < NS; j++) wk[j] = g < 4 ? m[j][g] : nm_shani_schedule(m[j], g);           \
            if (g < (first_group)) continue;                                                                       \
            NM_UNROLL for (int j = 0; j < NS; j++) wk[j] = _mm_add_epi32(wk[j], k);                                \
            if ((last_e) && g == 15) {                                                                             \
                NM_UNROLL for (int j = 0; j < NS; j++) e_out[j] = nm_shani_e60(s[j], wk[j]);                       \
                break;                                                                                             \
            }                                                                                                      \
            NM_UNROLL for (int j = 0; j < NS; j++) s[j].cdgh = _mm_sha256rnds2_epu32(s[j].cdgh, s[j].abef, wk[j]); \
            NM_UNROLL for (int j = 0; j < NS; j++) s[j].abef = _mm_sha256rnds2_epu32(s[j].abef, s[j].cdgh, _mm_shuffle_epi32(wk[j], 0x0E)); \
        }                                                                                                          \
    } while (0)

/* The scanner for NS streams. Per call, once: rounds 0..3 of the header's second block (message words 0..2
   are the header's, word 3 the nonce, which enters linearly: see nm_shani_rounds0to3). Per nonce 60 round
   instructions: 30 for the first hash's rounds 4..63, 30 for the second's rounds 0..59. */
#define NM_SHANI_SCANNER(NAME, NS)                                                                                  \
SHANI uint32_t NAME(const uint32_t midstate[8], const uint32_t tail[3], uint32_t start, uint32_t count,              \
                    uint32_t top_limb, uint32_t *candidates, uint32_t max_candidates) {                             \
    const nm_shani_state mid = nm_shani_load(midstate), iv = nm_shani_load(nm_iv);                                 \
    const nm_shani_state pre = nm_shani_rounds0to3(midstate, tail);                                                \
    const __m128i w0 = _mm_set_epi32(0, (int)tail[2], (int)tail[1], (int)tail[0]);                                 \
    uint32_t found = 0;                                                                                            \
    for (uint64_t base = 0; base < count; base += NS) {                                                            \
        nm_shani_state s[NS];                                                                                      \
        __m128i m[NS][4];                                                                                          \
        uint32_t nonce[NS], h7[NS];                                                                                \
        NM_UNROLL for (int j = 0; j < NS; j++) {                                                                   \
            nonce[j] = start + (uint32_t)base + (uint32_t)j;                                                       \
            /* The header stores the nonce little-endian; SHA-256 reads big-endian words. */                       \
            m[j][0] = _mm_insert_epi32(w0, (int)NM_BSWAP(nonce[j]), 3);                                           \
            m[j][1] = _mm_set_epi32(0, 0, 0, (int)0x80000000u);                                                    \
            m[j][2] = _mm_setzero_si128();                                                                         \
            m[j][3] = _mm_set_epi32(640, 0, 0, 0);                                                                 \
            /* ABEF holds A in lane 3 and E in lane 1. */                                                       \
            s[j].abef = _mm_add_epi32(pre.abef, _mm_set_epi32((int)NM_BSWAP(nonce[j]), 0, (int)NM_BSWAP(nonce[j]), 0)); \
            s[j].cdgh = pre.cdgh;                                                                                  \
        }                                                                                                          \
        NM_SHANI_ROUNDS(NS, s, m, 1, 0, h7);                                                                       \
        NM_UNROLL for (int j = 0; j < NS; j++) {                                                                   \
            /* The first hash (with the feed-forward) becomes the second block's words 0..7. */                    \
            __m128i abef = _mm_add_epi32(s[j].abef, mid.abef), cdgh = _mm_add_epi32(s[j].cdgh, mid.cdgh);          \
            __m128i bafe = _mm_shuffle_epi32(abef, 0x1B), ghcd = _mm_shuffle_epi32(cdgh, 0xB1);                    \
            m[j][0] = _mm_blend_epi16(bafe, ghcd, 0xF0); /* A B C D */                                             \
            m[j][1] = _mm_alignr_epi8(ghcd, bafe, 8);    /* E F G H */                                             \
            m[j][2] = _mm_set_epi32(0, 0, 0, (int)0x80000000u);                                                    \
            m[j][3] = _mm_set_epi32(256, 0, 0, 0);                                                                 \
            s[j] = iv;                                                                                             \
        }                                                                                                          \
        NM_SHANI_ROUNDS(NS, s, m, 0, 1, h7);                                                                       \
        NM_UNROLL for (uint32_t j = 0; j < NS; j++) {                                                              \
            uint32_t top = NM_BSWAP(h7[j] + nm_iv[7]);                                                             \
            if (top <= top_limb && base + j < count) {                                                             \
                if (found < max_candidates) candidates[found] = nonce[j];                                          \
                found++;                                                                                           \
            }                                                                                                      \
        }                                                                                                          \
    }                                                                                                              \
    return found;                                                                                                  \
}

/* Six streams: measured on Zen 5, 2 -> 3 -> 4 -> 6 streams gave about +0/+5/+5/+15%, 8 no more than 6
   (the round instruction has 4 cycles latency and issues every cycle or so; more streams spill xmm
   registers, which the SHA instructions cannot avoid: they have only the 16 legacy-encoded registers). */
NM_SHANI_SCANNER(nm_sha256d_scan_shani, 6)

/* Two streams: the layout that wins where the round instruction's throughput, not its latency, is the
   limit (Zen 3 measured about 20% faster with two than with six; six spill registers there). */
NM_SHANI_SCANNER(nm_sha256d_scan_shani2, 2)

int nm_cpu_has_sha(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1)) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & bit_SHA) != 0;
}

#else

uint32_t nm_sha256d_scan_shani(const uint32_t midstate[8], const uint32_t tail[3], uint32_t start, uint32_t count,
                               uint32_t top_limb, uint32_t *candidates, uint32_t max_candidates) {
    (void)midstate; (void)tail; (void)start; (void)count; (void)top_limb; (void)candidates; (void)max_candidates;
    return 0;
}
uint32_t nm_sha256d_scan_shani2(const uint32_t midstate[8], const uint32_t tail[3], uint32_t start, uint32_t count,
                                uint32_t top_limb, uint32_t *candidates, uint32_t max_candidates) {
    return nm_sha256d_scan_shani(midstate, tail, start, count, top_limb, candidates, max_candidates);
}
int nm_cpu_has_sha(void) { return 0; }

#endif
