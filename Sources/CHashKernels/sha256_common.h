/* SHA-256 pieces shared by the kernels: the round constants and the round functions, written once for
   scalars and vector-extension types alike (the compiler emits the instruction set's own rotates). */
#ifndef NIGHTMINER_SHA256_COMMON_H
#define NIGHTMINER_SHA256_COMMON_H

#include <stdint.h>

static const uint32_t nm_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* The initial hash value. */
static const uint32_t nm_iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

#define NM_ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define NM_ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define NM_S0(x) (NM_ROTR(x, 2) ^ NM_ROTR(x, 13) ^ NM_ROTR(x, 22))
#define NM_S1(x) (NM_ROTR(x, 6) ^ NM_ROTR(x, 11) ^ NM_ROTR(x, 25))
#define NM_s0(x) (NM_ROTR(x, 7) ^ NM_ROTR(x, 18) ^ ((x) >> 3))
#define NM_s1(x) (NM_ROTR(x, 17) ^ NM_ROTR(x, 19) ^ ((x) >> 10))
#define NM_CH(e, f, g) ((((f) ^ (g)) & (e)) ^ (g))
#define NM_MAJ(a, b, c) (((a) & (b)) | (((a) | (b)) & (c)))
#define NM_BSWAP(x) ((((x) & 0xff) << 24) | (((x) & 0xff00) << 8) | (((x) >> 8) & 0xff00) | ((x) >> 24))
#define NM_UNROLL _Pragma("clang loop unroll(full)")

/* Rounds first..63 of type T over a 16-word rolling schedule w (clobbered); state s[8] (the state after
   round first - 1) updated in place, without the final addition. Fully unrolled, so constant schedule words
   fold and unused work is dropped. */
#define NM_SHA256_ROUNDS_FROM(T, s, w, first)                                                            \
    do {                                                                                                \
        T a_ = s[0], b_ = s[1], c_ = s[2], d_ = s[3], e_ = s[4], f_ = s[5], g_ = s[6], h_ = s[7];        \
        NM_UNROLL for (int i_ = 0; i_ < 64; i_++) {                                                     \
            T w_;                                                                                       \
            if (i_ < (first)) continue;                                                                 \
            if (i_ < 16) {                                                                              \
                w_ = w[i_];                                                                             \
            } else {                                                                                    \
                w_ = NM_s1(w[(i_ - 2) & 15]) + w[(i_ - 7) & 15] + NM_s0(w[(i_ - 15) & 15]) + w[i_ & 15]; \
                w[i_ & 15] = w_;                                                                        \
            }                                                                                           \
            T t1_ = h_ + NM_S1(e_) + NM_CH(e_, f_, g_) + nm_k[i_] + w_;                                 \
            T t2_ = NM_S0(a_) + NM_MAJ(a_, b_, c_);                                                     \
            h_ = g_; g_ = f_; f_ = e_; e_ = d_ + t1_; d_ = c_; c_ = b_; b_ = a_; a_ = t1_ + t2_;         \
        }                                                                                               \
        s[0] = a_; s[1] = b_; s[2] = c_; s[3] = d_; s[4] = e_; s[5] = f_; s[6] = g_; s[7] = h_;          \
    } while (0)

/* All 64 rounds. */
#define NM_SHA256_ROUNDS(T, s, w) NM_SHA256_ROUNDS_FROM(T, s, w, 0)

#endif
