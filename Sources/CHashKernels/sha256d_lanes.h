/* The SHA256d lane kernel, included once per instruction set with LANES, VEC and KERNEL_NAME/TARGET set.
   Written with vector extensions: the compiler emits the set's vector instructions (rotates included). */

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define S0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define S1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define s0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define s1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))
#define CH(e, f, g) ((((f) ^ (g)) & (e)) ^ (g))
#define MAJ(a, b, c) (((a) & (b)) | (((a) | (b)) & (c)))

/* 64 rounds over a 16-word rolling schedule; state s[8] updated in place (without the final addition). */
#define SHA256_ROUNDS(s, w)                                                                    \
    do {                                                                                      \
        VEC a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];    \
        _Pragma("clang loop unroll(full)") for (int i = 0; i < 64; i++) {                     \
            VEC wi;                                                                           \
            if (i < 16) {                                                                     \
                wi = w[i];                                                                    \
            } else {                                                                          \
                wi = s1(w[(i - 2) & 15]) + w[(i - 7) & 15] + s0(w[(i - 15) & 15]) + w[i & 15]; \
                w[i & 15] = wi;                                                               \
            }                                                                                 \
            VEC t1 = h + S1(e) + CH(e, f, g) + nm_k[i] + wi;                                  \
            VEC t2 = S0(a) + MAJ(a, b, c);                                                    \
            h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;                \
        }                                                                                     \
        s[0] = a; s[1] = b; s[2] = c; s[3] = d; s[4] = e; s[5] = f; s[6] = g; s[7] = h;        \
    } while (0)

TARGET uint32_t KERNEL_NAME(const uint32_t midstate[8], const uint32_t tail[3], uint32_t start, uint32_t count,
                            uint32_t top_limb, uint32_t *candidates, uint32_t max_candidates) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    uint32_t found = 0;
    VEC lane;
    for (int i = 0; i < LANES; i++) lane[i] = (uint32_t)i;
    for (uint64_t base = 0; base < count; base += LANES) {
        VEC nonce = lane + (start + (uint32_t)base);
        VEC w[16], s[8], mid[8];
        for (int i = 0; i < 8; i++) { mid[i] = (VEC){0} + midstate[i]; s[i] = mid[i]; }
        w[0] = (VEC){0} + tail[0];
        w[1] = (VEC){0} + tail[1];
        w[2] = (VEC){0} + tail[2];
        /* The header stores the nonce little-endian; SHA-256 reads big-endian words. */
        w[3] = ((nonce & 0xff) << 24) | ((nonce & 0xff00) << 8) | ((nonce >> 8) & 0xff00) | (nonce >> 24);
        w[4] = (VEC){0} + 0x80000000u;
        for (int i = 5; i < 15; i++) w[i] = (VEC){0};
        w[15] = (VEC){0} + 640u;
        SHA256_ROUNDS(s, w);
        for (int i = 0; i < 8; i++) { w[i] = s[i] + mid[i]; s[i] = (VEC){0} + iv[i]; }
        w[8] = (VEC){0} + 0x80000000u;
        for (int i = 9; i < 15; i++) w[i] = (VEC){0};
        w[15] = (VEC){0} + 256u;
        SHA256_ROUNDS(s, w);
        VEC h7 = s[7] + iv[7];
        VEC top = ((h7 & 0xff) << 24) | ((h7 & 0xff00) << 8) | ((h7 >> 8) & 0xff00) | (h7 >> 24);
        for (int i = 0; i < LANES; i++) {
            if (top[i] <= top_limb && base + (uint64_t)i < count) {
                if (found < max_candidates) candidates[found] = nonce[i];
                found++;
            }
        }
    }
    return found;
}

#undef ROTR
#undef S0
#undef S1
#undef s0
#undef s1
#undef CH
#undef MAJ
#undef SHA256_ROUNDS
