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

/* Rounds of NS independent blocks, round pairs first_pair*2 .. 63 (or .. 61, see last_f). m[k][0..3] hold
   stream k's message words 0..15 (lane i = word 4j+i) and are clobbered. With first_pair = 1 the caller has
   done rounds 0 and 1 (s[k].cdgh then holds ABEF after round 1, s[k].abef the ABEF before it, as after the
   first round instruction). With last_f set, only rounds up to 61 run and the result is word F (lane 0 of
   the ABEF after round 61), which is the final H before the feed-forward; otherwise all 64 rounds run and
   the state is left without the feed-forward. The streams' instructions alternate, so each round
   instruction's latency (4 cycles here) is filled by the other streams'. */
#define NM_SHANI_ROUNDS(NS, s, m, first_pair, last_f, f_out)                                                        \
    do {                                                                                                           \
        NM_UNROLL for (int g = 0; g < 16; g++) {                                                                   \
            __m128i k = _mm_loadu_si128((const __m128i *)(nm_k + 4 * g));                                          \
            __m128i wk[NS];                                                                                        \
            NM_UNROLL for (int j = 0; j < NS; j++) wk[j] = _mm_add_epi32(g < 4 ? m[j][g] : nm_shani_schedule(m[j], g), k); \
            if (!(g == 0 && (first_pair)))                                                                         \
                NM_UNROLL for (int j = 0; j < NS; j++) s[j].cdgh = _mm_sha256rnds2_epu32(s[j].cdgh, s[j].abef, wk[j]); \
            if ((last_f) && g == 15) {                                                                             \
                NM_UNROLL for (int j = 0; j < NS; j++) f_out[j] = (uint32_t)_mm_cvtsi128_si32(s[j].cdgh);         \
                break;                                                                                             \
            }                                                                                                      \
            NM_UNROLL for (int j = 0; j < NS; j++) s[j].abef = _mm_sha256rnds2_epu32(s[j].abef, s[j].cdgh, _mm_shuffle_epi32(wk[j], 0x0E)); \
        }                                                                                                          \
    } while (0)

/* The scanner for NS streams. Per job, once: rounds 0 and 1 of the first block (message words 0 and 1 are
   the header's, not the nonce). */
#define NM_SHANI_SCANNER(NAME, NS)                                                                                  \
SHANI uint32_t NAME(const uint32_t midstate[8], const uint32_t tail[3], uint32_t start, uint32_t count,              \
                    uint32_t top_limb, uint32_t *candidates, uint32_t max_candidates) {                             \
    const nm_shani_state mid = nm_shani_load(midstate), iv = nm_shani_load(nm_iv);                                 \
    const __m128i w0 = _mm_set_epi32(0, (int)tail[2], (int)tail[1], (int)tail[0]);                                 \
    const __m128i pre_cdgh = _mm_sha256rnds2_epu32(mid.cdgh, mid.abef, _mm_add_epi32(w0, _mm_loadu_si128((const __m128i *)nm_k))); \
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
            s[j].abef = mid.abef;                                                                                  \
            s[j].cdgh = pre_cdgh;                                                                                  \
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
