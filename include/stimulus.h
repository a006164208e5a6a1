/* External stimulus current I_ext(t, x) (issue 9): a sum of pulses, added to the v-drift of
   every model level (kinetic B, limit system (1.9), network neurons):
     I_ext(t, x) = sum_k A_k S_k(x) H_k(t)
     S_k(x)      = shape k (disk | gaussian | rect) around (x_k, y_k) with radius r_k (ry_k)
     H_k(t)      = 1 on [t0_k + j T_k, t0_k + j T_k + d_k) for j = 0 .. n_k - 1, else 0
   Shapes are registered in a PetscFunctionList; the exact definitions are in docs/layout.md. */
#ifndef FHNK_STIMULUS_H
#define FHNK_STIMULUS_H
#include "fhnk.h"

typedef PetscErrorCode (*FhnkStimShapeFn)(Fhnk, PetscInt k, const PetscReal *x, PetscReal *val);

PetscErrorCode FhnkStimRegisterAll(Fhnk);
/* the -stim_* options (their own section of -help) and their checks */
PetscErrorCode FhnkStimOptions(Fhnk);
/* spatial profiles at the local points (after the grid) */
PetscErrorCode FhnkStimSetUp(Fhnk);
PetscErrorCode FhnkStimDestroy(Fhnk);
/* out[p] += I_ext(t, x_p) at the local points */
void FhnkStimAdd(Fhnk, PetscReal t, PetscReal *out);
/* out[p] = max over t of |I_ext(t, x_p)| (a bound for Courant numbers) */
void FhnkStimBound(Fhnk, PetscReal *out);
/* the first on/off time after t + tol (PETSC_MAX_REAL if none): steps are cut there, so that
   I_ext is constant on every step and is evaluated at the step's midpoint */
PetscReal FhnkStimNextEdge(Fhnk, PetscReal t, PetscReal tol);
/* whether pulse k is on at time t */
PetscBool FhnkStimOn(const FhnkStim *, PetscInt k, PetscReal t);
#endif
