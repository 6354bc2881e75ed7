/* The SHA256d lane kernel, included once per instruction set with LANES, VEC and KERNEL_NAME/TARGET set.
   Written with vector extensions: the compiler emits the set's vector instructions (rotates included). */


TARGET uint32_t KERNEL_NAME(const uint32_t midstate[8], const uint32_t tail[3], uint32_t start, uint32_t count,
                            uint32_t top_limb, uint32_t *candidates, uint32_t max_candidates) {
    /* Per job, once: rounds 0..2 of the first block (words 0..2 do not depend on the nonce), and the
       nonce-independent part of round 3. */
    uint32_t pre[8];
    for (int i = 0; i < 8; i++) pre[i] = midstate[i];
    for (int i = 0; i < 3; i++) {
        uint32_t t1 = pre[7] + NM_S1(pre[4]) + NM_CH(pre[4], pre[5], pre[6]) + nm_k[i] + tail[i];
        uint32_t t2 = NM_S0(pre[0]) + NM_MAJ(pre[0], pre[1], pre[2]);
        for (int j = 7; j > 0; j--) pre[j] = pre[j - 1];
        pre[4] += t1;
        pre[0] = t1 + t2;
    }
    const uint32_t t1_part3 = pre[7] + NM_S1(pre[4]) + NM_CH(pre[4], pre[5], pre[6]) + nm_k[3];
    const uint32_t t2_3 = NM_S0(pre[0]) + NM_MAJ(pre[0], pre[1], pre[2]);
    uint32_t found = 0;
    VEC lane;
    for (int i = 0; i < LANES; i++) lane[i] = (uint32_t)i;
    for (uint64_t base = 0; base < count; base += LANES) {
        VEC nonce = lane + (start + (uint32_t)base);
        VEC w[16], s[8], mid[8];
        for (int i = 0; i < 8; i++) mid[i] = (VEC){0} + midstate[i];
        w[0] = (VEC){0} + tail[0];
        w[1] = (VEC){0} + tail[1];
        w[2] = (VEC){0} + tail[2];
        /* The header stores the nonce little-endian; SHA-256 reads big-endian words. */
        w[3] = NM_BSWAP(nonce);
        w[4] = (VEC){0} + 0x80000000u;
        for (int i = 5; i < 15; i++) w[i] = (VEC){0};
        w[15] = (VEC){0} + 640u;
        /* Round 3 finished with the nonce word, then rounds 4..63. */
        VEC t1 = t1_part3 + w[3];
        s[0] = t1 + t2_3; s[1] = (VEC){0} + pre[0]; s[2] = (VEC){0} + pre[1]; s[3] = (VEC){0} + pre[2];
        s[4] = pre[3] + t1; s[5] = (VEC){0} + pre[4]; s[6] = (VEC){0} + pre[5]; s[7] = (VEC){0} + pre[6];
        NM_SHA256_ROUNDS_FROM(VEC, s, w, 4);
        for (int i = 0; i < 8; i++) { w[i] = s[i] + mid[i]; s[i] = (VEC){0} + nm_iv[i]; }
        w[8] = (VEC){0} + 0x80000000u;
        for (int i = 9; i < 15; i++) w[i] = (VEC){0};
        w[15] = (VEC){0} + 256u;
        NM_SHA256_ROUNDS(VEC, s, w);
        VEC h7 = s[7] + nm_iv[7];
        VEC top = NM_BSWAP(h7);
        for (int i = 0; i < LANES; i++) {
            if (top[i] <= top_limb && base + (uint64_t)i < count) {
                if (found < max_candidates) candidates[found] = nonce[i];
                found++;
            }
        }
    }
    return found;
}
