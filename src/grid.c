/* Grids of K and of phase space, and rho0 (SPEC 3). The coupling Psi is coupling.c's. */
#include "grid.h"

static PetscErrorCode Rho0Uniform(Fhnk fk, const PetscReal *x, PetscReal *val)
{
  PetscFunctionBeginUser;
  *val = 1.0;
  PetscFunctionReturn(0);
}
/* proportional to 1 + A cos(2 pi x/Lx), product in 2-D */
static PetscErrorCode Rho0Cosine(Fhnk fk, const PetscReal *x, PetscReal *val)
{
  PetscFunctionBeginUser;
  *val = 1 + fk->space.rho0_amp * PetscCosReal(2 * PETSC_PI * x[0] / fk->space.Lx);
  if (fk->space.dim == 2) *val *= 1 + fk->space.rho0_amp * PetscCosReal(2 * PETSC_PI * x[1] / fk->space.Ly);
  PetscFunctionReturn(0);
}
PetscErrorCode FhnkGridRegisterAll(Fhnk fk)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListAdd(&fk->rho0_list, "uniform", Rho0Uniform));
  PetscCall(PetscFunctionListAdd(&fk->rho0_list, "cosine", Rho0Cosine));
  PetscFunctionReturn(0);
}

static void NaturalCoords(Fhnk fk, PetscInt q, PetscReal *x)
{
  const PetscInt ix = q % fk->space.nx, iy = q / fk->space.nx;
  x[0] = (ix + 0.5) * fk->space.Lx / fk->space.nx;
  if (fk->space.dim == 2) x[1] = (iy + 0.5) * fk->space.Ly / fk->space.ny;
}

PetscErrorCode FhnkLocalRho0(Fhnk fk, PetscInt p, PetscReal *rho0)
{
  const PetscScalar *r;
  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(fk->rho0, &r));
  *rho0 = r[p];
  PetscCall(VecRestoreArrayRead(fk->rho0, &r));
  PetscFunctionReturn(0);
}

static PetscErrorCode PhaseSetUp(FhnkPhase *ph)
{
  PetscFunctionBeginUser;
  ph->ncell = ph->nv * ph->nw;
  ph->dv    = (ph->vmax - ph->vmin) / ph->nv;
  ph->dw    = (ph->wmax - ph->wmin) / ph->nw;
  PetscCall(PetscMalloc4(ph->nv, &ph->v, ph->nw, &ph->w, ph->nv + 1, &ph->vface, ph->nw + 1, &ph->wface));
  for (PetscInt i = 0; i < ph->nv; i++) ph->v[i] = ph->vmin + (i + 0.5) * ph->dv;
  for (PetscInt j = 0; j < ph->nw; j++) ph->w[j] = ph->wmin + (j + 0.5) * ph->dw;
  for (PetscInt i = 0; i <= ph->nv; i++) ph->vface[i] = ph->vmin + i * ph->dv;
  for (PetscInt j = 0; j <= ph->nw; j++) ph->wface[j] = ph->wmin + j * ph->dw;
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkGridSetUp(Fhnk fk)
{
  FhnkSpace *sp = &fk->space;
  PetscInt   xs, ys, xm, ym, k = 0;
  PetscReal *r, total = 0;
  FhnkRho0Fn rfn;

  PetscFunctionBeginUser;
  PetscCall(PhaseSetUp(&fk->ph));
  sp->npts = sp->nx * (sp->dim == 2 ? sp->ny : 1);
  sp->dK   = sp->Lx / sp->nx * (sp->dim == 2 ? sp->Ly / sp->ny : 1);

  /* K split over ranks; stencil width 0: no halo, each point carries its whole (v,w) grid
     (the kinetic model only: the others have no phase-space state) */
  {
    const PetscInt dof = fk->kind == FHNK_MODEL_KINETIC ? fk->ph.ncell : 1;
    if (sp->dim == 1) PetscCall(DMDACreate1d(fk->comm, DM_BOUNDARY_NONE, sp->nx, dof, 0, NULL, &fk->da));
    else PetscCall(DMDACreate2d(fk->comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_BOX, sp->nx, sp->ny, PETSC_DECIDE, PETSC_DECIDE, dof, 0, NULL, NULL, &fk->da));
  }
  PetscCall(DMSetOptionsPrefix(fk->da, "fhnk_"));
  PetscCall(DMSetUp(fk->da));
  PetscCall(DMDACreateCompatibleDMDA(fk->da, 1, &fk->da1));
  PetscCall(DMDACreateCompatibleDMDA(fk->da, 2, &fk->da2));
  PetscCall(DMDAGetCorners(fk->da, &xs, &ys, NULL, &xm, &ym, NULL));
  if (sp->dim == 1) { ys = 0; ym = 1; }
  fk->nloc = xm * ym;
  PetscCall(PetscMalloc2(fk->nloc, &fk->nat, fk->nloc * sp->dim, &fk->xloc));
  for (PetscInt iy = ys; iy < ys + ym; iy++)
    for (PetscInt ix = xs; ix < xs + xm; ix++, k++) {
      fk->nat[k] = ix + sp->nx * iy;
      NaturalCoords(fk, fk->nat[k], fk->xloc + k * sp->dim);
    }
  { /* the ownership of the DMDA, to map a natural index to PETSc's numbering without an AO
       (DMDAGetAO holds the whole map on every rank: O(npts) memory per rank) */
    const PetscInt *lx, *ly;
    PetscInt        px, py;
    PetscCall(DMDAGetInfo(fk->da, NULL, NULL, NULL, NULL, &px, &py, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
    if (sp->dim == 1) py = 1;
    PetscCall(DMDAGetOwnershipRanges(fk->da, &lx, sp->dim == 2 ? &ly : NULL, NULL));
    fk->px = px;
    fk->py = py;
    PetscCall(PetscMalloc3(px + 1, &fk->ixs, py + 1, &fk->iys, px * py + 1, &fk->rstart));
    fk->ixs[0] = fk->iys[0] = fk->rstart[0] = 0;
    for (PetscInt i = 0; i < px; i++) fk->ixs[i + 1] = fk->ixs[i] + lx[i];
    for (PetscInt j = 0; j < py; j++) fk->iys[j + 1] = fk->iys[j] + (sp->dim == 2 ? ly[j] : 1);
    for (PetscInt j = 0; j < py; j++)
      for (PetscInt i = 0; i < px; i++) fk->rstart[j * px + i + 1] = fk->rstart[j * px + i] + (fk->ixs[i + 1] - fk->ixs[i]) * (fk->iys[j + 1] - fk->iys[j]);
  }

  /* rho0, normalised so that its midpoint integral over K is exactly 1 */
  PetscCall(PetscFunctionListFind(fk->rho0_list, sp->rho0_type, &rfn));
  PetscCheck(rfn, fk->comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "unknown -rho0_type %s", sp->rho0_type);
  PetscCall(DMCreateGlobalVector(fk->da1, &fk->rho0));
  /* the total is summed by every rank over all of K in natural order (O(npts), once): the same
     bits on any number of ranks, where a reduction of partial sums would differ in the last bit */
  for (PetscInt q = 0; q < sp->npts; q++) {
    PetscReal xq[2], val;
    NaturalCoords(fk, q, xq);
    PetscCall((*rfn)(fk, xq, &val));
    total += val;
  }
  PetscCall(VecGetArray(fk->rho0, &r));
  for (PetscInt p = 0; p < fk->nloc; p++) {
    PetscCall((*rfn)(fk, fk->xloc + p * sp->dim, &r[p]));
    PetscCheck(r[p] > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "rho0 must stay positive: -rho0_amp must be in (-1, 1)");
    r[p] /= total * sp->dK;
  }
  PetscCall(VecRestoreArray(fk->rho0, &r));

  PetscCall(PetscMalloc5(fk->nloc, &fk->Vst, fk->nloc, &fk->Vc, fk->nloc, &fk->mloc, fk->nloc, &fk->Qloc, fk->nloc, &fk->Vy));
  for (PetscInt p = 0; p < fk->nloc; p++) fk->Vc[p] = PETSC_MAX_REAL; /* no previous centre yet */
  PetscCall(PetscMalloc2(8 * fk->ph.nv, &fk->zbuf, 8 * fk->ph.nv, &fk->zbuf2)); /* FHNK_BLOCK lines */
  {
    const PetscInt nv = fk->ph.nv;
    PetscCall(PetscMalloc5(nv, &fk->line.bp, nv, &fk->line.bm, nv, &fk->line.ml, nv, &fk->line.cp, nv, &fk->line.id));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkGridDestroy(Fhnk fk)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree4(fk->ph.v, fk->ph.w, fk->ph.vface, fk->ph.wface));
  PetscCall(PetscFree2(fk->nat, fk->xloc));
  PetscCall(PetscFree5(fk->Vst, fk->Vc, fk->mloc, fk->Qloc, fk->Vy));
  PetscCall(PetscFree2(fk->zbuf, fk->zbuf2));
  PetscCall(PetscFree5(fk->line.bp, fk->line.bm, fk->line.ml, fk->line.cp, fk->line.id));
  PetscCall(VecDestroy(&fk->rho0));
  PetscCall(PetscFree3(fk->ixs, fk->iys, fk->rstart));
  PetscCall(DMDestroy(&fk->da));
  PetscCall(DMDestroy(&fk->da1));
  PetscCall(DMDestroy(&fk->da2));
  PetscFunctionReturn(0);
}

/* index of the rank column (row) owning ix (iy): binary search in the ownership ranges */
static PetscInt Owner(const PetscInt *start, PetscInt n, PetscInt i)
{
  PetscInt lo = 0, hi = n; /* start[lo] <= i < start[hi] */
  while (hi - lo > 1) {
    const PetscInt mid = (lo + hi) / 2;
    if (start[mid] <= i) lo = mid;
    else hi = mid;
  }
  return lo;
}

/* PETSc (DMDA global) index of the point of natural index q = ix + nx iy, in O(log ranks) */
PetscInt FhnkNaturalToPetsc(Fhnk fk, PetscInt q)
{
  const PetscInt ix = q % fk->space.nx, iy = q / fk->space.nx;
  const PetscInt i = Owner(fk->ixs, fk->px, ix), j = Owner(fk->iys, fk->py, iy);
  return fk->rstart[j * fk->px + i] + (ix - fk->ixs[i]) + (fk->ixs[i + 1] - fk->ixs[i]) * (iy - fk->iys[j]);
}

/* corners of the block of K owned by rank r (xs, xm, ys, ym) */
void FhnkRankBox(Fhnk fk, PetscMPIInt r, PetscInt box[4])
{
  const PetscInt i = r % fk->px, j = r / fk->px;
  box[0] = fk->ixs[i];
  box[1] = fk->ixs[i + 1] - fk->ixs[i];
  box[2] = fk->iys[j];
  box[3] = fk->iys[j + 1] - fk->iys[j];
}
