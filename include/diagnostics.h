/* Diagnostics of SPEC 1/5: moments, E(f) (1.8), mass, min f, Hopf-Cole H (1.10),
   the resolution and wall-mass monitors. */
#ifndef FHNK_DIAGNOSTICS_H
#define FHNK_DIAGNOSTICS_H
#include "fhnk.h"

#define FHNK_UNDERFLOW 1e-300 /* f at or below this is treated as underflowed */

PetscErrorCode FhnkDiagnosticsWrite(Fhnk, PetscReal t);
PetscErrorCode FhnkResolutionReport(Fhnk);
/* f and phi = eps ln(sqrt(2 pi eps/rho0) f) at the -snapshot_points, into DIR/snapshots.h5 */
PetscErrorCode FhnkSnapshotWrite(Fhnk, PetscInt index, PetscReal t);
#endif
