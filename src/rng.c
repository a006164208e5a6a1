/* Counter-based normal random numbers for the network model (issue 10): Philox4x32-10 of
   Random123, and Box-Muller.

   The draw of neuron g at a step and in a stream is fixed by (key, g, step, stream) alone:
     counter = (g / 4 as 64 bits, step low 32 bits, step bits 32..55 | stream << 24), key = seed,
   four 32-bit words -> two Box-Muller pairs -> the four normals of neurons 4 (g/4) .. 4 (g/4) + 3.
   Nothing depends on which rank draws, or on what was drawn before.

   This file is compiled with -ffast-math (see the Makefile) so that the loops below vectorize,
   with glibc's vector log, sin and cos (libmvec): the numbers differ in the last bits from the
   scalar libm ones, but they are the same on every rank and every run of a build. */
#include "rng.h"
#include <math.h>
#include <stdlib.h>
#include <Random123/philox.h>

void FhnkRngNormals(uint64_t key, uint32_t stream, uint64_t step, int64_t g0, int64_t n, double *restrict z, FhnkRngWork *wk)
{
  const int64_t b0 = g0 >> 2, b1 = (g0 + n + 3) >> 2, nb = b1 - b0; /* the blocks of 4 covering [g0, g0+n) */
  const uint32_t c2 = (uint32_t)step, c3 = ((uint32_t)(step >> 32) & 0x00ffffffu) | (stream << 24);
  const double   s  = 2.3283064365386963e-10; /* 2^-32 */
  uint32_t      *x0, *x1, *x2, *x3;
  double        *ra, *rb, *ta, *tb, *ca, *sa, *cb, *sb;
  if (nb > wk->cap) {
    free(wk->mem);
    wk->cap = nb + 64;
    wk->mem = malloc((size_t)wk->cap * (4 * sizeof(uint32_t) + 8 * sizeof(double)));
  }
  ra = (double *)wk->mem;
  rb = ra + wk->cap;
  ta = rb + wk->cap;
  tb = ta + wk->cap;
  ca = tb + wk->cap;
  sa = ca + wk->cap;
  cb = sa + wk->cap;
  sb = cb + wk->cap;
  x0 = (uint32_t *)(sb + wk->cap);
  x1 = x0 + wk->cap;
  x2 = x1 + wk->cap;
  x3 = x2 + wk->cap;
  for (int64_t b = 0; b < nb; b++) {
    const uint64_t   blk = (uint64_t)(b0 + b);
    philox4x32_ctr_t c   = {{(uint32_t)blk, (uint32_t)(blk >> 32), c2, c3}};
    philox4x32_key_t k   = {{(uint32_t)key, (uint32_t)(key >> 32)}};
    philox4x32_ctr_t r   = philox4x32(c, k);
    x0[b] = r.v[0];
    x1[b] = r.v[1];
    x2[b] = r.v[2];
    x3[b] = r.v[3];
  }
  /* uniforms in (0,1) at the centres of 2^32 bins (signed conversion: vectorizes everywhere) */
  for (int64_t b = 0; b < nb; b++) {
    const double u0 = ((double)(int32_t)(x0[b] ^ 0x80000000u) + 2147483648.5) * s;
    const double u2 = ((double)(int32_t)(x2[b] ^ 0x80000000u) + 2147483648.5) * s;
    ra[b]           = sqrt(-2.0 * log(u0));
    rb[b]           = sqrt(-2.0 * log(u2));
    ta[b]           = 6.283185307179586 * (((double)(int32_t)(x1[b] ^ 0x80000000u) + 2147483648.5) * s);
    tb[b]           = 6.283185307179586 * (((double)(int32_t)(x3[b] ^ 0x80000000u) + 2147483648.5) * s);
  }
  /* sine and cosine in separate loops (together they become one scalar sincos call) */
  for (int64_t b = 0; b < nb; b++) ca[b] = cos(ta[b]);
  for (int64_t b = 0; b < nb; b++) sa[b] = sin(ta[b]);
  for (int64_t b = 0; b < nb; b++) cb[b] = cos(tb[b]);
  for (int64_t b = 0; b < nb; b++) sb[b] = sin(tb[b]);
  for (int64_t i = 0; i < n; i++) {
    const int64_t g = g0 + i, b = (g >> 2) - b0;
    const int     j = (int)(g & 3);
    z[i] = j == 0 ? ra[b] * ca[b] : j == 1 ? ra[b] * sa[b] : j == 2 ? rb[b] * cb[b] : rb[b] * sb[b];
  }
}

void FhnkRngFree(FhnkRngWork *wk)
{
  free(wk->mem);
  wk->mem = NULL;
  wk->cap = 0;
}
