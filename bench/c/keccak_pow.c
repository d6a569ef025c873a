/*
 * Native baseline for bench/pow.bench.ts: the Whisper PoW nonce search in plain C, with the same
 * midstate approach as the AssemblyScript kernel (packages/envelope/wasm/keccak.ts): absorb the
 * constant prefix once, then one Keccak-f[1600] permutation per nonce (two when the tail crosses
 * the 136-byte rate). Built by the bench with `cc -O3` (no -march=native, so it is comparable
 * with WASM's baseline instruction set).
 *
 * Usage: keccak_pow PREFIX_HEX START_NONCE COUNT
 * Prints: tried best_bits best_nonce seconds
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RATE 136
#define ROTL(x, n) (((x) << (n)) | ((x) >> (64 - (n))))

static const uint64_t RC[24] = {
  0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
  0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
  0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
  0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
  0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
  0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

static void permute(uint64_t *s) {
  uint64_t a00 = s[0];
  uint64_t a01 = s[1];
  uint64_t a02 = s[2];
  uint64_t a03 = s[3];
  uint64_t a04 = s[4];
  uint64_t a05 = s[5];
  uint64_t a06 = s[6];
  uint64_t a07 = s[7];
  uint64_t a08 = s[8];
  uint64_t a09 = s[9];
  uint64_t a10 = s[10];
  uint64_t a11 = s[11];
  uint64_t a12 = s[12];
  uint64_t a13 = s[13];
  uint64_t a14 = s[14];
  uint64_t a15 = s[15];
  uint64_t a16 = s[16];
  uint64_t a17 = s[17];
  uint64_t a18 = s[18];
  uint64_t a19 = s[19];
  uint64_t a20 = s[20];
  uint64_t a21 = s[21];
  uint64_t a22 = s[22];
  uint64_t a23 = s[23];
  uint64_t a24 = s[24];
  for (int r = 0; r < 24; r++) {
    const uint64_t c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20;
    const uint64_t c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21;
    const uint64_t c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22;
    const uint64_t c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23;
    const uint64_t c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24;
    const uint64_t d0 = c4 ^ ROTL(c1, 1);
    const uint64_t d1 = c0 ^ ROTL(c2, 1);
    const uint64_t d2 = c1 ^ ROTL(c3, 1);
    const uint64_t d3 = c2 ^ ROTL(c4, 1);
    const uint64_t d4 = c3 ^ ROTL(c0, 1);
    const uint64_t b00 = (a00 ^ d0);
    const uint64_t b01 = ROTL(a06 ^ d1, 44);
    const uint64_t b02 = ROTL(a12 ^ d2, 43);
    const uint64_t b03 = ROTL(a18 ^ d3, 21);
    const uint64_t b04 = ROTL(a24 ^ d4, 14);
    const uint64_t b05 = ROTL(a03 ^ d3, 28);
    const uint64_t b06 = ROTL(a09 ^ d4, 20);
    const uint64_t b07 = ROTL(a10 ^ d0, 3);
    const uint64_t b08 = ROTL(a16 ^ d1, 45);
    const uint64_t b09 = ROTL(a22 ^ d2, 61);
    const uint64_t b10 = ROTL(a01 ^ d1, 1);
    const uint64_t b11 = ROTL(a07 ^ d2, 6);
    const uint64_t b12 = ROTL(a13 ^ d3, 25);
    const uint64_t b13 = ROTL(a19 ^ d4, 8);
    const uint64_t b14 = ROTL(a20 ^ d0, 18);
    const uint64_t b15 = ROTL(a04 ^ d4, 27);
    const uint64_t b16 = ROTL(a05 ^ d0, 36);
    const uint64_t b17 = ROTL(a11 ^ d1, 10);
    const uint64_t b18 = ROTL(a17 ^ d2, 15);
    const uint64_t b19 = ROTL(a23 ^ d3, 56);
    const uint64_t b20 = ROTL(a02 ^ d2, 62);
    const uint64_t b21 = ROTL(a08 ^ d3, 55);
    const uint64_t b22 = ROTL(a14 ^ d4, 39);
    const uint64_t b23 = ROTL(a15 ^ d0, 41);
    const uint64_t b24 = ROTL(a21 ^ d1, 2);
    a00 = b00 ^ (~b01 & b02);
    a01 = b01 ^ (~b02 & b03);
    a02 = b02 ^ (~b03 & b04);
    a03 = b03 ^ (~b04 & b00);
    a04 = b04 ^ (~b00 & b01);
    a05 = b05 ^ (~b06 & b07);
    a06 = b06 ^ (~b07 & b08);
    a07 = b07 ^ (~b08 & b09);
    a08 = b08 ^ (~b09 & b05);
    a09 = b09 ^ (~b05 & b06);
    a10 = b10 ^ (~b11 & b12);
    a11 = b11 ^ (~b12 & b13);
    a12 = b12 ^ (~b13 & b14);
    a13 = b13 ^ (~b14 & b10);
    a14 = b14 ^ (~b10 & b11);
    a15 = b15 ^ (~b16 & b17);
    a16 = b16 ^ (~b17 & b18);
    a17 = b17 ^ (~b18 & b19);
    a18 = b18 ^ (~b19 & b15);
    a19 = b19 ^ (~b15 & b16);
    a20 = b20 ^ (~b21 & b22);
    a21 = b21 ^ (~b22 & b23);
    a22 = b22 ^ (~b23 & b24);
    a23 = b23 ^ (~b24 & b20);
    a24 = b24 ^ (~b20 & b21);
    a00 ^= RC[r];
;
  }
  s[0] = a00;
  s[1] = a01;
  s[2] = a02;
  s[3] = a03;
  s[4] = a04;
  s[5] = a05;
  s[6] = a06;
  s[7] = a07;
  s[8] = a08;
  s[9] = a09;
  s[10] = a10;
  s[11] = a11;
  s[12] = a12;
  s[13] = a13;
  s[14] = a14;
  s[15] = a15;
  s[16] = a16;
  s[17] = a17;
  s[18] = a18;
  s[19] = a19;
  s[20] = a20;
  s[21] = a21;
  s[22] = a22;
  s[23] = a23;
  s[24] = a24;
}

/* Lanes are little-endian (FIPS 202); this file assumes a little-endian host, like x86-64 and arm64. */
static uint64_t load64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

static int leading_zero_bits(const uint64_t *s) {
  for (int i = 0; i < 4; i++) {
    if (s[i] != 0) return i * 64 + __builtin_clzll(__builtin_bswap64(s[i]));
  }
  return 256;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s PREFIX_HEX START_NONCE COUNT\n", argv[0]);
    return 2;
  }
  size_t len = strlen(argv[1]) / 2;
  uint8_t *prefix = malloc(len + 1);
  for (size_t i = 0; i < len; i++) sscanf(argv[1] + 2 * i, "%2hhx", &prefix[i]);
  uint64_t start = strtoull(argv[2], NULL, 10);
  uint64_t count = strtoull(argv[3], NULL, 10);

  uint64_t mid[25] = {0};
  size_t whole = len - len % RATE, tail = len - whole;
  for (size_t off = 0; off < whole; off += RATE) {
    for (int w = 0; w < RATE / 8; w++) mid[w] ^= load64(prefix + off + 8 * w);
    permute(mid);
  }
  /* Final block(s) without the nonce: tail | 0 x 8 | 0x01 | 0... | 0x80 */
  uint8_t fin[2 * RATE] = {0};
  memcpy(fin, prefix + whole, tail);
  int two = tail + 8 >= RATE;
  fin[tail + 8] ^= 0x01;
  fin[(two ? 2 * RATE : RATE) - 1] ^= 0x80;
  uint64_t base[25], block2[RATE / 8];
  memcpy(base, mid, sizeof base);
  for (int w = 0; w < RATE / 8; w++) base[w] ^= load64(fin + 8 * w);
  for (int w = 0; w < RATE / 8; w++) block2[w] = load64(fin + RATE + 8 * w);
  int lane = (int)(tail >> 3), shift = (int)((tail & 7) * 8);

  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int best = -1;
  uint64_t best_nonce = start, nonce = start, s[25];
  for (uint64_t i = 0; i < count; i++, nonce++) {
    uint64_t w = __builtin_bswap64(nonce);
    memcpy(s, base, sizeof s);
    if (!two) {
      s[lane] ^= w << shift;
      if (shift) s[lane + 1] ^= w >> (64 - shift);
      permute(s);
    } else {
      s[16] ^= w << shift;
      permute(s);
      for (int j = 0; j < RATE / 8; j++) s[j] ^= block2[j];
      if (shift) s[0] ^= w >> (64 - shift);
      permute(s);
    }
    int lz = leading_zero_bits(s);
    if (lz > best) {
      best = lz;
      best_nonce = nonce;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%llu %d %llu %.6f\n", (unsigned long long)count, best, (unsigned long long)best_nonce, secs);
  free(prefix);
  return 0;
}
