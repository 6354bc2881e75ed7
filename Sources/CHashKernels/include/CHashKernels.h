#ifndef NIGHTMINER_CHASHKERNELS_H
#define NIGHTMINER_CHASHKERNELS_H

#include <stdint.h>

/* Multi-lane SHA256d nonce scanners for instruction sets Swift cannot target per function.
   Inputs:
     midstate  8 words: SHA-256 state after the header's first 64 bytes.
     tail      3 words: header bytes 64..75 as big-endian words (end of merkle root, ntime, nbits).
     start     first nonce; count nonces are scanned (start + count <= 2^32).
     top_limb  the target's most significant 32-bit limb (little-endian reading of hash bytes 28..31).
   Every nonce whose hash has its most significant limb <= top_limb is written to candidates (up to
   max_candidates, in increasing order); the caller checks candidates against the whole target.
   Returns the number of candidates found (may exceed max_candidates; only max_candidates are stored). */
uint32_t nm_sha256d_scan_avx512(const uint32_t midstate[8], const uint32_t tail[3], uint32_t start, uint32_t count,
                                uint32_t top_limb, uint32_t *candidates, uint32_t max_candidates);
uint32_t nm_sha256d_scan_avx2(const uint32_t midstate[8], const uint32_t tail[3], uint32_t start, uint32_t count,
                              uint32_t top_limb, uint32_t *candidates, uint32_t max_candidates);
/* The same on the SHA extensions, six nonces side by side (shani) or two (shani2). */
uint32_t nm_sha256d_scan_shani(const uint32_t midstate[8], const uint32_t tail[3], uint32_t start, uint32_t count,
                               uint32_t top_limb, uint32_t *candidates, uint32_t max_candidates);
uint32_t nm_sha256d_scan_shani2(const uint32_t midstate[8], const uint32_t tail[3], uint32_t start, uint32_t count,
                                uint32_t top_limb, uint32_t *candidates, uint32_t max_candidates);

/* scrypt(1024,1,1) of the 80-byte header with the nonce set, LANES nonces at a time (16 for AVX-512, 8 for
   AVX2). header_words: the header's first 76 bytes as 19 big-endian words; midstate: SHA-256 state after
   the first 64 bytes. scratchpad: 128 KiB per lane (2 MiB for AVX-512, 1 MiB for AVX2), 64-byte aligned.
   Candidates as for the SHA256d scanners (most significant limb <= top_limb). */
uint32_t nm_scrypt_scan_avx512(const uint32_t header_words[19], const uint32_t midstate[8], uint32_t start, uint32_t count,
                               uint32_t top_limb, uint32_t *scratchpad, uint32_t *candidates, uint32_t max_candidates);
uint32_t nm_scrypt_scan_avx2(const uint32_t header_words[19], const uint32_t midstate[8], uint32_t start, uint32_t count,
                             uint32_t top_limb, uint32_t *scratchpad, uint32_t *candidates, uint32_t max_candidates);
/* The same with two independent groups of lanes interleaved step for step (32 nonces a batch for AVX-512, 16
   for AVX2), which fills the wait of Salsa20/8's dependent steps on CPUs whose vector operations take two
   cycles. scratchpad: 128 KiB per nonce of a batch (4 MiB for AVX-512, 2 MiB for AVX2), 64-byte aligned. */
uint32_t nm_scrypt_scan_avx512x2(const uint32_t header_words[19], const uint32_t midstate[8], uint32_t start, uint32_t count,
                                 uint32_t top_limb, uint32_t *scratchpad, uint32_t *candidates, uint32_t max_candidates);
uint32_t nm_scrypt_scan_avx2x2(const uint32_t header_words[19], const uint32_t midstate[8], uint32_t start, uint32_t count,
                               uint32_t top_limb, uint32_t *scratchpad, uint32_t *candidates, uint32_t max_candidates);

/* CPU features, from the compiler's runtime CPU detection. */
int nm_cpu_has_avx512f(void);
int nm_cpu_has_avx2(void);
/* The SHA extensions (with SSE4.1), from CPUID leaf 7. */
int nm_cpu_has_sha(void);

#endif
