/* Grids of K and of phase space, rho0, and the Psi convolution (SPEC 3).
   Space couples only through Psi*rho0 (once) and Psi*(rho0 V) (every stage); the latter is a
   MatMult on an npts-sized vector: a global reduction, never a gather of phase-space data. */
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
/* gaussian: J exp(-r^2/(2 s^2)) / ((2 pi)^(d/2) s^d) */
static PetscErrorCode PsiGaussian(Fhnk fk, PetscReal r, PetscReal *val)
{
  const PetscReal s = fk->space.psi_sigma;
  const PetscInt  d = fk->space.dim;
  PetscFunctionBeginUser;
  *val = fk->space.psi_J * PetscExpReal(-r * r / (2 * s * s)) / (PetscPowReal(2 * PETSC_PI, 0.5 * d) * PetscPowRealInt(s, d));
  PetscFunctionReturn(0);
}
/* tophat: J/|B_s| on |x-x'| <= s; |B_s| = 2s (1-D), pi s^2 (2-D) */
static PetscErrorCode PsiTophat(Fhnk fk, PetscReal r, PetscReal *val)
{
  const PetscReal s = fk->space.psi_sigma, vol = fk->space.dim == 1 ? 2 * s : PETSC_PI * s * s;
  PetscFunctionBeginUser;
  *val = r <= s * (1 + 1e-12) ? fk->space.psi_J / vol : 0.0;
  PetscFunctionReturn(0);
}
static PetscErrorCode PsiNone(Fhnk fk, PetscReal r, PetscReal *val)
{
  PetscFunctionBeginUser;
  *val = 0.0;
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkGridRegisterAll(Fhnk fk)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListAdd(&fk->rho0_list, "uniform", Rho0Uniform));
  PetscCall(PetscFunctionListAdd(&fk->rho0_list, "cosine", Rho0Cosine));
  PetscCall(PetscFunctionListAdd(&fk->psi_list, "gaussian", PsiGaussian));
  PetscCall(PetscFunctionListAdd(&fk->psi_list, "tophat", PsiTophat));
  PetscCall(PetscFunctionListAdd(&fk->psi_list, "none", PsiNone));
  PetscFunctionReturn(0);
}

static void NaturalCoords(Fhnk fk, PetscInt q, PetscReal *x)
{
  const PetscInt ix = q % fk->space.nx, iy = q / fk->space.nx;
  x[0] = (ix + 0.5) * fk->space.Lx / fk->space.nx;
  if (fk->space.dim == 2) x[1] = (iy + 0.5) * fk->space.Ly / fk->space.ny;
}

/* distance, with the nearest periodic image when -psi_periodic */
static PetscReal Distance(Fhnk fk, const PetscReal *x, const PetscReal *y)
{
  PetscReal r2 = 0, L[2] = {fk->space.Lx, fk->space.Ly};
  for (PetscInt d = 0; d < fk->space.dim; d++) {
    PetscReal dx = PetscAbsReal(x[d] - y[d]);
    if (fk->space.psi_periodic) dx = PetscMin(dx, L[d] - dx);
    r2 += dx * dx;
  }
  return PetscSqrtReal(r2);
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
  PetscInt   xs, ys, xm, ym, k = 0, rstart;
  PetscReal *r, total = 0;
  FhnkRho0Fn rfn;
  FhnkPsiFn  pfn;

  PetscFunctionBeginUser;
  PetscCall(PhaseSetUp(&fk->ph));
  sp->npts = sp->nx * (sp->dim == 2 ? sp->ny : 1);
  sp->dK   = sp->Lx / sp->nx * (sp->dim == 2 ? sp->Ly / sp->ny : 1);

  /* K split over ranks; stencil width 0: no halo, each point carries its whole (v,w) grid */
  if (sp->dim == 1) PetscCall(DMDACreate1d(fk->comm, DM_BOUNDARY_NONE, sp->nx, fk->ph.ncell, 0, NULL, &fk->da));
  else PetscCall(DMDACreate2d(fk->comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_BOX, sp->nx, sp->ny, PETSC_DECIDE, PETSC_DECIDE, fk->ph.ncell, 0, NULL, NULL, &fk->da));
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

  /* rho0, normalised so that its midpoint integral over K is exactly 1 */
  PetscCall(PetscFunctionListFind(fk->rho0_list, sp->rho0_type, &rfn));
  PetscCall(PetscFunctionListFind(fk->psi_list, sp->psi_type, &pfn));
  PetscCheck(rfn && pfn, fk->comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "unknown rho0 or psi type");
  PetscCall(DMCreateGlobalVector(fk->da1, &fk->rho0));
  PetscCall(VecDuplicate(fk->rho0, &fk->P));
  PetscCall(VecDuplicate(fk->rho0, &fk->rhoV));
  PetscCall(VecDuplicate(fk->rho0, &fk->Q));
  PetscCall(VecGetArray(fk->rho0, &r));
  for (PetscInt p = 0; p < fk->nloc; p++) {
    PetscCall((*rfn)(fk, fk->xloc + p * sp->dim, &r[p]));
    PetscCheck(r[p] > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "rho0 must stay positive: -rho0_amp must be in (-1, 1)");
    total += r[p];
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &total, 1, MPIU_REAL, MPIU_SUM, fk->comm));
  for (PetscInt p = 0; p < fk->nloc; p++) r[p] /= total * sp->dK;
  PetscCall(VecRestoreArray(fk->rho0, &r));

  /* Psi(x_p, x_q) |dK| as an AIJ matrix with the rows of the local points; entries below
     1e-300 relative (gaussian tails) are dropped, which changes nothing representable. */
  {
    AO        ao;
    PetscInt *col, *dnz, *onz, cstart, cend, n = sp->npts;
    PetscReal xq[2], val, vmax = 0;
    PetscCall(DMDAGetAO(fk->da1, &ao));
    PetscCall(PetscMalloc3(n, &col, fk->nloc, &dnz, fk->nloc, &onz));
    for (PetscInt q = 0; q < n; q++) col[q] = q;
    PetscCall(AOApplicationToPetsc(ao, n, col)); /* col[natural q] = PETSc index */
    PetscCall(VecGetOwnershipRange(fk->rho0, &cstart, &cend));
    rstart = cstart;
    PetscCall((*pfn)(fk, 0, &vmax));
    vmax = PetscAbsReal(vmax);
    for (PetscInt p = 0; p < fk->nloc; p++) {
      dnz[p] = onz[p] = 0;
      for (PetscInt q = 0; q < n; q++) {
        NaturalCoords(fk, q, xq);
        PetscCall((*pfn)(fk, Distance(fk, fk->xloc + p * sp->dim, xq), &val));
        if (PetscAbsReal(val) > 1e-300 * vmax && val != 0) {
          if (col[q] >= cstart && col[q] < cend) dnz[p]++;
          else onz[p]++;
        }
      }
    }
    PetscCall(MatCreateAIJ(fk->comm, fk->nloc, fk->nloc, n, n, 0, dnz, 0, onz, &fk->Psi));
    PetscCall(MatSetOption(fk->Psi, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
    for (PetscInt p = 0; p < fk->nloc; p++)
      for (PetscInt q = 0; q < n; q++) {
        NaturalCoords(fk, q, xq);
        PetscCall((*pfn)(fk, Distance(fk, fk->xloc + p * sp->dim, xq), &val));
        if (PetscAbsReal(val) > 1e-300 * vmax && val != 0) {
          val *= sp->dK;
          PetscCall(MatSetValue(fk->Psi, rstart + p, col[q], val, INSERT_VALUES));
        }
      }
    PetscCall(MatAssemblyBegin(fk->Psi, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(fk->Psi, MAT_FINAL_ASSEMBLY));
    PetscCall(PetscFree3(col, dnz, onz));
  }
  PetscCall(MatMult(fk->Psi, fk->rho0, fk->P)); /* P = Psi*rho0, once */

  PetscCall(PetscMalloc5(fk->nloc, &fk->Vst, fk->nloc, &fk->Vc, fk->nloc, &fk->mloc, fk->nloc, &fk->Qloc, fk->nloc, &fk->Vy));
  for (PetscInt p = 0; p < fk->nloc; p++) fk->Vc[p] = PETSC_MAX_REAL; /* no previous centre yet */
  PetscCall(PetscMalloc2(8 * fk->ph.nv, &fk->zbuf, 8 * fk->ph.nv, &fk->zbuf2)); /* FHNK_BLOCK lines */
  {
    const PetscInt nv = fk->ph.nv;
    PetscCall(PetscMalloc5(nv, &fk->line.bp, nv, &fk->line.bm, nv, &fk->line.ml, nv, &fk->line.cp, nv, &fk->line.id));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkConvolve(Fhnk fk, const PetscReal *V, PetscReal *Qout)
{
  PetscScalar       *rv;
  const PetscScalar *r, *q;
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(fk->log.psi, 0, 0, 0, 0));
  PetscCall(VecGetArrayRead(fk->rho0, &r));
  PetscCall(VecGetArray(fk->rhoV, &rv));
  for (PetscInt p = 0; p < fk->nloc; p++) rv[p] = r[p] * V[p];
  PetscCall(VecRestoreArray(fk->rhoV, &rv));
  PetscCall(VecRestoreArrayRead(fk->rho0, &r));
  PetscCall(MatMult(fk->Psi, fk->rhoV, fk->Q));
  PetscCall(VecGetArrayRead(fk->Q, &q));
  for (PetscInt p = 0; p < fk->nloc; p++) Qout[p] = q[p];
  PetscCall(VecRestoreArrayRead(fk->Q, &q));
  PetscCall(PetscLogEventEnd(fk->log.psi, 0, 0, 0, 0));
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
  PetscCall(VecDestroy(&fk->P));
  PetscCall(VecDestroy(&fk->rhoV));
  PetscCall(VecDestroy(&fk->Q));
  PetscCall(MatDestroy(&fk->Psi));
  PetscCall(DMDestroy(&fk->da));
  PetscCall(DMDestroy(&fk->da1));
  PetscCall(DMDestroy(&fk->da2));
  PetscFunctionReturn(0);
}
