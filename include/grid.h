/* Grids: K as a DMDA (each rank owns whole phase-space blocks), the (v,w) cells,
   rho0 shapes (SPEC 3). */
#ifndef FHNK_GRID_H
#define FHNK_GRID_H
#include "fhnk.h"

typedef PetscErrorCode (*FhnkRho0Fn)(Fhnk, const PetscReal *x, PetscReal *val);

PetscErrorCode FhnkGridRegisterAll(Fhnk);
PetscErrorCode FhnkGridSetUp(Fhnk);
PetscErrorCode FhnkGridDestroy(Fhnk);
PetscErrorCode FhnkLocalRho0(Fhnk, PetscInt p, PetscReal *rho0);
/* PETSc (DMDA global) index of the point of natural index q = ix + nx iy */
PetscInt FhnkNaturalToPetsc(Fhnk, PetscInt q);
/* the block of K owned by a rank: xs, xm, ys, ym */
void FhnkRankBox(Fhnk, PetscMPIInt rank, PetscInt box[4]);
#endif
