#include "CHashKernels.h"
#include "sha256_common.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#if defined(__x86_64__)

typedef uint32_t nm_v16 __attribute__((vector_size(64)));
typedef uint32_t nm_v8 __attribute__((vector_size(32)));

/* Transposes of a LANES x LANES block of words: in[k] holds word k of every lane, out[l] every word of lane
   l. Shuffles only: gathers and scatters are slow on CPUs with the Gather Data Sampling fix in microcode
   (measured here: a 16-lane gather cost ~38 cycles, a transposed load ~8). */
__attribute__((target("avx512f"))) static inline void nm_transpose16(const nm_v16 in[16], nm_v16 out[16]) {
    __m512i r[16], t[16];
    for (int i = 0; i < 16; i++) r[i] = (__m512i)in[i];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
        r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
        r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
        r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int i = 0; i < 16; i += 8) {
        for (int j = 0; j < 4; j++) {
            t[i + j] = _mm512_shuffle_i32x4(r[i + j], r[i + j + 4], 0x88);
            t[i + j + 4] = _mm512_shuffle_i32x4(r[i + j], r[i + j + 4], 0xdd);
        }
    }
    for (int j = 0; j < 8; j++) {
        out[j] = (nm_v16)_mm512_shuffle_i32x4(t[j], t[j + 8], 0x88);
        out[j + 8] = (nm_v16)_mm512_shuffle_i32x4(t[j], t[j + 8], 0xdd);
    }
}

__attribute__((target("avx2"))) static inline void nm_transpose8(const nm_v8 in[8], nm_v8 out[8]) {
    __m256i r[8], t[8];
    for (int i = 0; i < 8; i++) r[i] = (__m256i)in[i];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        r[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
        r[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
        r[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
        r[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int j = 0; j < 4; j++) {
        out[j] = (nm_v8)_mm256_permute2x128_si256(r[j], r[j + 4], 0x20);
        out[j + 4] = (nm_v8)_mm256_permute2x128_si256(r[j], r[j + 4], 0x31);
    }
}

#define LANES 16
#define VEC nm_v16
#define KERNEL_NAME nm_sha256d_scan_avx512
#define TARGET __attribute__((target("avx512f")))
#include "sha256d_lanes.h"
#undef KERNEL_NAME
#define PBKDF2_NAME nm_avx512_pbkdf2
#include "scrypt_pbkdf2.h"
#define KERNEL_NAME nm_scrypt_scan_avx512
#define TRANSPOSE nm_transpose16
#include "scrypt_lanes.h"
#undef KERNEL_NAME
#define KERNEL_NAME nm_scrypt_scan_avx512x2
#include "scrypt_lanes_x2.h"
#undef TRANSPOSE
#undef LANES
#undef VEC
#undef KERNEL_NAME
#undef TARGET

#define LANES 8
#define VEC nm_v8
#define KERNEL_NAME nm_sha256d_scan_avx2
#define TARGET __attribute__((target("avx2")))
#include "sha256d_lanes.h"
#undef KERNEL_NAME
#undef PBKDF2_BEGIN
#undef PBKDF2_FINISH
#undef PBKDF2_NAME
#define PBKDF2_NAME nm_avx2_pbkdf2
#include "scrypt_pbkdf2.h"
#define KERNEL_NAME nm_scrypt_scan_avx2
#define TRANSPOSE nm_transpose8
#include "scrypt_lanes.h"
#undef KERNEL_NAME
#define KERNEL_NAME nm_scrypt_scan_avx2x2
#include "scrypt_lanes_x2.h"
#undef TRANSPOSE
#undef LANES
#undef VEC
#undef KERNEL_NAME
#undef TARGET

int nm_cpu_has_avx512f(void) { __builtin_cpu_init(); return __builtin_cpu_supports("avx512f"); }
int nm_cpu_has_avx2(void) { __builtin_cpu_init(); return __builtin_cpu_supports("avx2"); }

#else

uint32_t nm_sha256d_scan_avx512(const uint32_t midstate[8], const uint32_t tail[3], uint32_t start, uint32_t count,
                                uint32_t top_limb, uint32_t *candidates, uint32_t max_candidates) {
    (void)midstate; (void)tail; (void)start; (void)count; (void)top_limb; (void)candidates; (void)max_candidates;
    return 0;
}
uint32_t nm_sha256d_scan_avx2(const uint32_t midstate[8], const uint32_t tail[3], uint32_t start, uint32_t count,
                              uint32_t top_limb, uint32_t *candidates, uint32_t max_candidates) {
    (void)midstate; (void)tail; (void)start; (void)count; (void)top_limb; (void)candidates; (void)max_candidates;
    return 0;
}
uint32_t nm_scrypt_scan_avx512(const uint32_t header_words[19], const uint32_t midstate[8], uint32_t start, uint32_t count,
                               uint32_t top_limb, uint32_t *scratchpad, uint32_t *candidates, uint32_t max_candidates) {
    (void)header_words; (void)midstate; (void)start; (void)count; (void)top_limb; (void)scratchpad; (void)candidates; (void)max_candidates;
    return 0;
}
uint32_t nm_scrypt_scan_avx2(const uint32_t header_words[19], const uint32_t midstate[8], uint32_t start, uint32_t count,
                             uint32_t top_limb, uint32_t *scratchpad, uint32_t *candidates, uint32_t max_candidates) {
    (void)header_words; (void)midstate; (void)start; (void)count; (void)top_limb; (void)scratchpad; (void)candidates; (void)max_candidates;
    return 0;
}
int nm_cpu_has_avx512f(void) { return 0; }
int nm_cpu_has_avx2(void) { return 0; }

#endif
