/* scrypt(1024, 1, 1) of 2 x LANES headers at once: two independent groups of LANES hashes, one hash per
   vector lane, included once per instruction set with LANES, VEC, KERNEL_NAME, TARGET and TRANSPOSE set,
   after scrypt_pbkdf2.h (PBKDF2_BEGIN, PBKDF2_FINISH). ROMix keeps each lane's blocks contiguous in the
   scratchpad and moves them through register transposes.

   Why two groups: Salsa20/8 is a chain of add -> rotate -> xor steps, at most four (one per column or row)
   independent at a time. On CPUs where those vector operations take 2 cycles (Zen 5) one group leaves most
   of the vector units idle, waiting; the second group's steps, interleaved one for one, fill the wait.
   Measured on Zen 5: AVX2 8 -> 2 x 8 lanes +10%, AVX-512 16 -> 2 x 16 lanes +15%; three groups were slower
   (register spills). Scratchpad: 2 x LANES x 128 KiB (group 0's rows, then group 1's). */

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define ROMIX CAT(KERNEL_NAME, _romix)
#define XOR_SALSA_2 CAT(KERNEL_NAME, _xor_salsa8_x2)

/* b[g] = Salsa20/8(b[g] ^ bx[g]) for both groups, the two groups' steps interleaved one by one: a step's
   add -> rotate -> xor chain is long compared with its work, and the other group's step fills the wait. */
TARGET __attribute__((always_inline)) static inline void XOR_SALSA_2(VEC *b0, const VEC *bx0, VEC *b1, const VEC *bx1) {
    VEC x[2][16];
    NM_UNROLL for (int k = 0; k < 16; k++) { x[0][k] = b0[k] ^= bx0[k]; x[1][k] = b1[k] ^= bx1[k]; }
#define S2(t, p, q, n) x[0][t] ^= NM_ROTL(x[0][p] + x[0][q], n); x[1][t] ^= NM_ROTL(x[1][p] + x[1][q], n);
    for (int i = 0; i < 4; i++) {
        S2(4, 0, 12, 7) S2(9, 5, 1, 7) S2(14, 10, 6, 7) S2(3, 15, 11, 7)
        S2(8, 4, 0, 9) S2(13, 9, 5, 9) S2(2, 14, 10, 9) S2(7, 3, 15, 9)
        S2(12, 8, 4, 13) S2(1, 13, 9, 13) S2(6, 2, 14, 13) S2(11, 7, 3, 13)
        S2(0, 12, 8, 18) S2(5, 1, 13, 18) S2(10, 6, 2, 18) S2(15, 11, 7, 18)
        S2(1, 0, 3, 7) S2(6, 5, 4, 7) S2(11, 10, 9, 7) S2(12, 15, 14, 7)
        S2(2, 1, 0, 9) S2(7, 6, 5, 9) S2(8, 11, 10, 9) S2(13, 12, 15, 9)
        S2(3, 2, 1, 13) S2(4, 7, 6, 13) S2(9, 8, 11, 13) S2(14, 13, 12, 13)
        S2(0, 3, 2, 18) S2(5, 4, 7, 18) S2(10, 9, 8, 18) S2(15, 14, 13, 18)
    }
#undef S2
    NM_UNROLL for (int k = 0; k < 16; k++) { b0[k] += x[0][k]; b1[k] += x[1][k]; }
}

/* ROMix, N = 1024, on two groups x[g] (32 vectors: word k of every lane in x[g][k]). Row i of group g's
   scratchpad holds each lane's 32 words contiguously (two cache lines per lane); blocks go in and out
   through LANES x LANES transposes. */
TARGET __attribute__((noinline)) static void ROMIX(VEC x[2][32], uint32_t *scratchpad) {
    const uint32_t row_words = (uint32_t)(LANES * 32);
    uint32_t *pad[2] = {scratchpad, scratchpad + 1024 * row_words};
    VEC t[LANES];
    for (uint32_t i = 0; i < 1024; i++) {
        NM_UNROLL for (int g = 0; g < 2; g++) {
            VEC *row = (VEC *)(pad[g] + i * row_words);
            NM_UNROLL for (int c = 0; c < 32 / LANES; c++) {
                TRANSPOSE(x[g] + c * LANES, t);
                NM_UNROLL for (int l = 0; l < LANES; l++) row[l * (32 / LANES) + c] = t[l];
            }
        }
        XOR_SALSA_2(x[0], x[0] + 16, x[1], x[1] + 16);
        XOR_SALSA_2(x[0] + 16, x[0], x[1] + 16, x[1]);
    }
    /* Each lane's next block, as a word offset into the scratchpad (kept in memory between steps). */
    uint32_t next[2][LANES];
    NM_UNROLL for (int g = 0; g < 2; g++) {
        VEC j = (x[g][16] & 1023u) * row_words;
        NM_UNROLL for (int l = 0; l < LANES; l++) next[g][l] = j[l] + (uint32_t)(l * 32);
    }
    for (int i = 0; i < 1024; i++) {
        NM_UNROLL for (int g = 0; g < 2; g++) {
            NM_UNROLL for (int c = 0; c < 32 / LANES; c++) {
                VEC in[LANES];
                NM_UNROLL for (int l = 0; l < LANES; l++) in[l] = ((const VEC *)(pad[g] + next[g][l]))[c];
                TRANSPOSE(in, t);
                NM_UNROLL for (int k = 0; k < LANES; k++) x[g][c * LANES + k] ^= t[k];
            }
        }
        XOR_SALSA_2(x[0], x[0] + 16, x[1], x[1] + 16);
        XOR_SALSA_2(x[0] + 16, x[0], x[1] + 16, x[1]);
        NM_UNROLL for (int g = 0; g < 2; g++) {
            VEC j = (x[g][16] & 1023u) * row_words;
            NM_UNROLL for (int l = 0; l < LANES; l++) next[g][l] = j[l] + (uint32_t)(l * 32);
        }
    }
}

TARGET uint32_t KERNEL_NAME(const uint32_t header_words[19], const uint32_t midstate[8], uint32_t start, uint32_t count,
                            uint32_t top_limb, uint32_t *scratchpad, uint32_t *candidates, uint32_t max_candidates) {
    uint32_t found = 0;
    VEC lane;
    for (int i = 0; i < LANES; i++) lane[i] = (uint32_t)i;
    for (uint64_t base = 0; base < count; base += 2 * LANES) {
        VEC innerg[2][8], outerg[2][8], xg[2][32];
        NM_UNROLL for (int g = 0; g < 2; g++) {
            VEC nonce = lane + (start + (uint32_t)base + (uint32_t)(g * LANES));
            PBKDF2_BEGIN(header_words, midstate, nonce, innerg[g], outerg[g], xg[g]);
        }
        ROMIX(xg, scratchpad);
        NM_UNROLL for (int g = 0; g < 2; g++) {
            uint64_t gbase = base + (uint64_t)(g * LANES);
            VEC nonce = lane + (start + (uint32_t)gbase);
            VEC top = PBKDF2_FINISH(innerg[g], outerg[g], xg[g]);
            for (int i = 0; i < LANES; i++) {
                if (top[i] <= top_limb && gbase + (uint64_t)i < count) {
                    if (found < max_candidates) candidates[found] = nonce[i];
                    found++;
                }
            }
        }
    }
    return found;
}

#undef CAT2
#undef CAT
#undef ROMIX
#undef XOR_SALSA_2
