/* The long-range coupling Psi (SPEC 3, issue 9): kernel registry and the convolution
     (Psi*g)(x_p) = sum_q Psi(x_p, x_q) g(x_q) |dK|      (midpoint rule on the cell centres)
   computed by one of
     fft         distributed FFT convolution (FFTW's MPI interface), zero-padded (linear) for
                 non-periodic K, circular with -psi_periodic: O(npts log npts) per apply, O(npts)
                 memory, for kernels of x - x' (all registered ones but 'graded')
     matrix      a distributed AIJ matrix assembled in O(npts x support) (compact kernels; the
                 Gaussian is compact once its entries fall below 1e-300 of its peak)
     replicated  the field gathered on every rank and convolved there by the serial FFT: the
                 same bits on any number of ranks (network model), O(npts) memory per rank
   Only npts-sized fields move between the DMDA layout and the FFT layout; phase-space data never. */
#ifndef FHNK_COUPLING_H
#define FHNK_COUPLING_H
#include "fhnk.h"

/* A kernel: registered by name; its create function fills the description. */
typedef struct {
  PetscBool invariant; /* Psi(x, x') depends on x - x' only (radial): FFT applies      */
  PetscReal support;   /* Psi = 0 (or below 1e-300 of its peak) beyond this distance    */
  /* value at receiving point x, sending point y, distance r (nearest image when periodic) */
  PetscErrorCode (*eval)(Fhnk, const PetscReal *x, const PetscReal *y, PetscReal r, PetscReal *val);
} FhnkKernel;
typedef PetscErrorCode (*FhnkKernelCreateFn)(Fhnk, FhnkKernel *);

PetscErrorCode FhnkCouplingRegisterAll(Fhnk);
PetscErrorCode FhnkCouplingKernelInfo(Fhnk, const char *type, FhnkKernel *k, PetscBool *found);
/* choose the method, build it, compute P = Psi*rho0 (after FhnkGridSetUp) */
PetscErrorCode FhnkCouplingSetUp(Fhnk);
PetscErrorCode FhnkCouplingDestroy(Fhnk);
/* out = Psi*g at the local points (arrays of nloc values in the DMDA's local order); in place allowed */
PetscErrorCode FhnkCouplingApply(Fhnk, const PetscReal *g, PetscReal *out);
/* Q = Psi*(rho0 V) from the local V of every point */
PetscErrorCode FhnkConvolve(Fhnk, const PetscReal *V, PetscReal *Q);
/* estimated cost of one apply of each method, in units of ~1 ns (for -psi_method auto and bench) */
PetscErrorCode FhnkCouplingCosts(Fhnk, PetscReal *cost_matrix, PetscReal *cost_fft, PetscReal *nnz);
#endif
