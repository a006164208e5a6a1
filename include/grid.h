/* Grids: K as a DMDA (each rank owns whole phase-space blocks), the (v,w) cells,
   rho0 shapes, the Psi kernel as a distributed matrix (SPEC 3). */
#ifndef FHNK_GRID_H
#define FHNK_GRID_H
#include "fhnk.h"

typedef PetscErrorCode (*FhnkRho0Fn)(Fhnk, const PetscReal *x, PetscReal *val);
typedef PetscErrorCode (*FhnkPsiFn)(Fhnk, PetscReal r, PetscReal *val);

PetscErrorCode FhnkGridRegisterAll(Fhnk);
PetscErrorCode FhnkGridSetUp(Fhnk);
PetscErrorCode FhnkGridDestroy(Fhnk);
PetscErrorCode FhnkLocalRho0(Fhnk, PetscInt p, PetscReal *rho0);
/* Q = Psi*(rho0 V) from the local V of every point (one global reduction). */
PetscErrorCode FhnkConvolve(Fhnk, const PetscReal *V, PetscReal *Qout);
#endif
