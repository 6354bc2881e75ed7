/* scrypt(1024, 1, 1) of LANES headers at once, one hash per vector lane, included once per instruction set
   with LANES, VEC, KERNEL_NAME, TARGET and TRANSPOSE set, after scrypt_pbkdf2.h (PBKDF2_BEGIN, PBKDF2_FINISH).
   ROMix keeps each lane's blocks contiguous in the scratchpad and moves them through register transposes. */

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define XOR_SALSA CAT(KERNEL_NAME, _xor_salsa8)
#define ROMIX CAT(KERNEL_NAME, _romix)

/* b = Salsa20/8(b ^ bx), lane by lane. */
TARGET __attribute__((always_inline)) static inline void XOR_SALSA(VEC *b, const VEC *bx) {
    VEC x0 = b[0] ^= bx[0], x1 = b[1] ^= bx[1], x2 = b[2] ^= bx[2], x3 = b[3] ^= bx[3];
    VEC x4 = b[4] ^= bx[4], x5 = b[5] ^= bx[5], x6 = b[6] ^= bx[6], x7 = b[7] ^= bx[7];
    VEC x8 = b[8] ^= bx[8], x9 = b[9] ^= bx[9], x10 = b[10] ^= bx[10], x11 = b[11] ^= bx[11];
    VEC x12 = b[12] ^= bx[12], x13 = b[13] ^= bx[13], x14 = b[14] ^= bx[14], x15 = b[15] ^= bx[15];
    for (int i = 0; i < 4; i++) {
        x4 ^= NM_ROTL(x0 + x12, 7); x8 ^= NM_ROTL(x4 + x0, 9); x12 ^= NM_ROTL(x8 + x4, 13); x0 ^= NM_ROTL(x12 + x8, 18);
        x9 ^= NM_ROTL(x5 + x1, 7); x13 ^= NM_ROTL(x9 + x5, 9); x1 ^= NM_ROTL(x13 + x9, 13); x5 ^= NM_ROTL(x1 + x13, 18);
        x14 ^= NM_ROTL(x10 + x6, 7); x2 ^= NM_ROTL(x14 + x10, 9); x6 ^= NM_ROTL(x2 + x14, 13); x10 ^= NM_ROTL(x6 + x2, 18);
        x3 ^= NM_ROTL(x15 + x11, 7); x7 ^= NM_ROTL(x3 + x15, 9); x11 ^= NM_ROTL(x7 + x3, 13); x15 ^= NM_ROTL(x11 + x7, 18);
        x1 ^= NM_ROTL(x0 + x3, 7); x2 ^= NM_ROTL(x1 + x0, 9); x3 ^= NM_ROTL(x2 + x1, 13); x0 ^= NM_ROTL(x3 + x2, 18);
        x6 ^= NM_ROTL(x5 + x4, 7); x7 ^= NM_ROTL(x6 + x5, 9); x4 ^= NM_ROTL(x7 + x6, 13); x5 ^= NM_ROTL(x4 + x7, 18);
        x11 ^= NM_ROTL(x10 + x9, 7); x8 ^= NM_ROTL(x11 + x10, 9); x9 ^= NM_ROTL(x8 + x11, 13); x10 ^= NM_ROTL(x9 + x8, 18);
        x12 ^= NM_ROTL(x15 + x14, 7); x13 ^= NM_ROTL(x12 + x15, 9); x14 ^= NM_ROTL(x13 + x12, 13); x15 ^= NM_ROTL(x14 + x13, 18);
    }
    b[0] += x0; b[1] += x1; b[2] += x2; b[3] += x3; b[4] += x4; b[5] += x5; b[6] += x6; b[7] += x7;
    b[8] += x8; b[9] += x9; b[10] += x10; b[11] += x11; b[12] += x12; b[13] += x13; b[14] += x14; b[15] += x15;
}

/* ROMix, N = 1024, on x (32 vectors: word k of every lane in x[k]). Row i of the scratchpad holds each lane's
   32 words contiguously (lane-major), so a lane's block is two cache lines; blocks go in and out through
   LANES x LANES transposes. */
TARGET __attribute__((noinline)) static void ROMIX(VEC x[32], uint32_t *scratchpad) {
    VEC t[LANES];
    for (uint32_t i = 0; i < 1024; i++) {
        VEC *row = (VEC *)(scratchpad + i * (uint32_t)(LANES * 32));
        NM_UNROLL for (int c = 0; c < 32 / LANES; c++) {
            TRANSPOSE(x + c * LANES, t);
            NM_UNROLL for (int l = 0; l < LANES; l++) row[l * (32 / LANES) + c] = t[l];
        }
        XOR_SALSA(x, x + 16);
        XOR_SALSA(x + 16, x);
    }
    for (int i = 0; i < 1024; i++) {
        /* Each lane's row address, taken from the vector lane by lane (kept in registers: a vector stored and
           read back a word at a time stalls on store forwarding). */
        VEC j = (x[16] & 1023u) * (uint32_t)(LANES * 32);
        const VEC *block[LANES];
        NM_UNROLL for (int l = 0; l < LANES; l++) block[l] = (const VEC *)(scratchpad + j[l] + (uint32_t)(l * 32));
        NM_UNROLL for (int c = 0; c < 32 / LANES; c++) {
            VEC in[LANES];
            NM_UNROLL for (int l = 0; l < LANES; l++) in[l] = block[l][c];
            TRANSPOSE(in, t);
            NM_UNROLL for (int k = 0; k < LANES; k++) x[c * LANES + k] ^= t[k];
        }
        XOR_SALSA(x, x + 16);
        XOR_SALSA(x + 16, x);
    }
}

TARGET uint32_t KERNEL_NAME(const uint32_t header_words[19], const uint32_t midstate[8], uint32_t start, uint32_t count,
                            uint32_t top_limb, uint32_t *scratchpad, uint32_t *candidates, uint32_t max_candidates) {
    uint32_t found = 0;
    VEC lane;
    for (int i = 0; i < LANES; i++) lane[i] = (uint32_t)i;
    for (uint64_t base = 0; base < count; base += LANES) {
        VEC nonce = lane + (start + (uint32_t)base);
        VEC inner[8], outer[8], x[32];
        PBKDF2_BEGIN(header_words, midstate, nonce, inner, outer, x);
        ROMIX(x, scratchpad);
        VEC top = PBKDF2_FINISH(inner, outer, x);
        for (int i = 0; i < LANES; i++) {
            if (top[i] <= top_limb && base + (uint64_t)i < count) {
                if (found < max_candidates) candidates[found] = nonce[i];
                found++;
            }
        }
    }
    return found;
}

#undef CAT2
#undef CAT
#undef XOR_SALSA
#undef ROMIX
