/* The PBKDF2-HMAC-SHA256 ends of scrypt(1024, 1, 1) on vectors, one hash per lane, shared by the one-group
   (scrypt_lanes.h) and two-group (scrypt_lanes_x2.h) kernels. Included once per instruction set with VEC,
   TARGET and PBKDF2_NAME (a prefix for these functions) set. */

#define PCAT2(a, b) a##b
#define PCAT(a, b) PCAT2(a, b)
#define COMPRESS PCAT(PBKDF2_NAME, _compress)
#define HMAC_OUTER PCAT(PBKDF2_NAME, _hmac_outer)
#define PBKDF2_BEGIN PCAT(PBKDF2_NAME, _begin)
#define PBKDF2_FINISH PCAT(PBKDF2_NAME, _finish)

/* state += SHA-256 rounds over the 16-word block w (w is clobbered). */
TARGET __attribute__((noinline)) static void COMPRESS(VEC s[8], VEC w[16]) {
    VEC t[8];
    for (int i = 0; i < 8; i++) t[i] = s[i];
    NM_SHA256_ROUNDS(VEC, t, w);
    for (int i = 0; i < 8; i++) s[i] += t[i];
}

/* HMAC's outer hash: s (an inner digest) becomes SHA-256(outer key block || s), from the outer state. */
TARGET static inline void HMAC_OUTER(VEC s[8], const VEC outer[8], VEC w[16]) {
    for (int i = 0; i < 8; i++) w[i] = s[i];
    w[8] = (VEC){0} + 0x80000000u;
    for (int i = 9; i < 15; i++) w[i] = (VEC){0};
    w[15] = (VEC){0} + (64u + 32u) * 8u;
    for (int i = 0; i < 8; i++) s[i] = outer[i];
    COMPRESS(s, w);
}

/* The first PBKDF2: x (32 vectors: word k of every lane in x[k]) = PBKDF2(header, header, 1, 128) for the
   headers with `nonce`, and the HMAC's inner and outer states kept for the last one. */
TARGET static inline void PBKDF2_BEGIN(const uint32_t header_words[19], const uint32_t midstate[8], VEC nonce,
                                       VEC inner[8], VEC outer[8], VEC x[32]) {
    VEC w[16], key[8], ibase[8], s[8];
    /* HMAC key = SHA-256(header): the first block is the shared midstate. */
    for (int i = 0; i < 8; i++) key[i] = (VEC){0} + midstate[i];
    w[0] = (VEC){0} + header_words[16]; w[1] = (VEC){0} + header_words[17]; w[2] = (VEC){0} + header_words[18];
    w[3] = NM_BSWAP(nonce); w[4] = (VEC){0} + 0x80000000u;
    for (int i = 5; i < 15; i++) w[i] = (VEC){0};
    w[15] = (VEC){0} + 640u;
    COMPRESS(key, w);
    for (int i = 0; i < 8; i++) { inner[i] = (VEC){0} + nm_iv[i]; outer[i] = inner[i]; }
    for (int i = 0; i < 8; i++) w[i] = key[i] ^ 0x36363636u;
    for (int i = 8; i < 16; i++) w[i] = (VEC){0} + 0x36363636u;
    COMPRESS(inner, w);
    for (int i = 0; i < 8; i++) w[i] = key[i] ^ 0x5c5c5c5cu;
    for (int i = 8; i < 16; i++) w[i] = (VEC){0} + 0x5c5c5c5cu;
    COMPRESS(outer, w);
    /* PBKDF2 block i = HMAC(header || INT(i)); the salt's first 64 bytes are shared by all four. */
    for (int i = 0; i < 8; i++) ibase[i] = inner[i];
    for (int i = 0; i < 16; i++) w[i] = (VEC){0} + header_words[i];
    COMPRESS(ibase, w);
    for (int block = 0; block < 4; block++) {
        for (int i = 0; i < 8; i++) s[i] = ibase[i];
        w[0] = (VEC){0} + header_words[16]; w[1] = (VEC){0} + header_words[17]; w[2] = (VEC){0} + header_words[18];
        w[3] = NM_BSWAP(nonce); w[4] = (VEC){0} + (uint32_t)(block + 1); w[5] = (VEC){0} + 0x80000000u;
        for (int i = 6; i < 15; i++) w[i] = (VEC){0};
        w[15] = (VEC){0} + (64u + 80u + 4u) * 8u;
        COMPRESS(s, w);
        HMAC_OUTER(s, outer, w);
        for (int i = 0; i < 8; i++) x[8 * block + i] = NM_BSWAP(s[i]);
    }
}

/* The last PBKDF2: HMAC(X || INT(1)), 32 bytes; returns the hash's most significant word of every lane. */
TARGET static inline VEC PBKDF2_FINISH(const VEC inner[8], const VEC outer[8], const VEC x[32]) {
    VEC w[16], s[8];
    for (int i = 0; i < 8; i++) s[i] = inner[i];
    for (int i = 0; i < 16; i++) w[i] = NM_BSWAP(x[i]);
    COMPRESS(s, w);
    for (int i = 0; i < 16; i++) w[i] = NM_BSWAP(x[16 + i]);
    COMPRESS(s, w);
    w[0] = (VEC){0} + 1u; w[1] = (VEC){0} + 0x80000000u;
    for (int i = 2; i < 15; i++) w[i] = (VEC){0};
    w[15] = (VEC){0} + (64u + 128u + 4u) * 8u;
    COMPRESS(s, w);
    HMAC_OUTER(s, outer, w);
    return NM_BSWAP(s[7]);
}

/* PCAT stays defined: PBKDF2_BEGIN and PBKDF2_FINISH expand through it in the kernels. */
#undef COMPRESS
#undef HMAC_OUTER
