/* The model of SPEC 1: the drift N, its primitive n, A(v,w), initial data. */
#ifndef FHNK_MODEL_H
#define FHNK_MODEL_H
#include "fhnk.h"

/* N(v) = sum_k N[k] v^k, Horner */
static inline PetscReal FhnkN(const FhnkModel *m, PetscReal v)
{
  PetscReal s = 0;
  for (PetscInt k = m->nN - 1; k >= 0; k--) s = s * v + m->N[k];
  return s;
}
/* n(v) = int_0^v N, the primitive used by the concentrated data and Hopf-Cole H */
static inline PetscReal Fhnkn(const FhnkModel *m, PetscReal v)
{
  PetscReal s = 0;
  for (PetscInt k = m->nN - 1; k >= 0; k--) s = s * v + m->N[k] / (PetscReal)(k + 1);
  return s * v;
}
/* N'(v) */
static inline PetscReal FhnkdN(const FhnkModel *m, PetscReal v)
{
  PetscReal s = 0;
  for (PetscInt k = m->nN - 1; k >= 1; k--) s = s * v + k * m->N[k];
  return s;
}
static inline PetscReal FhnkA(const FhnkModel *m, PetscReal v, PetscReal w) { return m->a * v - m->b * w + m->c; }

/* Initial data f0 = exp(lv(v)) exp(lw(w)) (separable), unnormalised:
   evaluates the log-densities at n abscissae x[] of v (which = 0) or of w (which = 1) at local point p,
   and returns the width of the profile in that variable (to integrate it accurately). */
typedef PetscErrorCode (*FhnkInitFn)(Fhnk, PetscInt p, PetscReal V0, PetscReal W0, PetscInt which, PetscInt n, const PetscReal *x, PetscReal *lf, PetscReal *width);

PetscErrorCode FhnkModelRegisterAll(Fhnk);
PetscErrorCode FhnkPolyDegree(const FhnkModel *, PetscInt *deg);
PetscErrorCode FhnkInitialCondition(Fhnk, Vec f);
PetscErrorCode FhnkInitialMeans(Fhnk, const PetscReal *x, PetscReal *V0, PetscReal *W0);
#endif
