/* Counter-based normal random numbers (Philox4x32-10, Random123; Box-Muller): see src/rng.c. */
#ifndef FHNK_RNG_H
#define FHNK_RNG_H
#include <stdint.h>

typedef struct {
  void   *mem; /* scratch of the vectorized transform */
  int64_t cap;
} FhnkRngWork;

/* z[i] = the standard normal of neuron g0 + i (i < n) for (key, stream, step) */
void FhnkRngNormals(uint64_t key, uint32_t stream, uint64_t step, int64_t g0, int64_t n, double *z, FhnkRngWork *wk);
void FhnkRngFree(FhnkRngWork *wk);
#endif
