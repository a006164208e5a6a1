/* Model: initial data of SPEC 5 (-init gaussian | concentrated), registered in a
   PetscFunctionList so new shapes are one function and one line away. */
#include "model.h"
#include "grid.h"

/* gaussian: f0 = exp(-(v-V0)^2/(2 var_v) - (w-W0)^2/(2 var_w)), normalised later per point. */
static PetscErrorCode InitGaussian(Fhnk fk, PetscInt p, PetscReal V0, PetscReal W0, PetscInt which, PetscInt n, const PetscReal *x, PetscReal *lf, PetscReal *width)
{
  const PetscReal m = which ? W0 : V0, var = which ? fk->init.var_w : fk->init.var_v;
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) lf[i] = -PetscSqr(x[i] - m) / (2 * var);
  *width = PetscSqrtReal(var);
  PetscFunctionReturn(0);
}

/* The paper's well-prepared data (SPEC 1 item 4):
   f0 = c_eps exp(-rho0 |v-V0|^2/(2 eps) + n(v) - |w-W0|^2/(2 var_w)). */
static PetscErrorCode InitConcentrated(Fhnk fk, PetscInt p, PetscReal V0, PetscReal W0, PetscInt which, PetscInt n, const PetscReal *x, PetscReal *lf, PetscReal *width)
{
  PetscReal rho0;
  PetscFunctionBeginUser;
  if (which) {
    for (PetscInt i = 0; i < n; i++) lf[i] = -PetscSqr(x[i] - W0) / (2 * fk->init.var_w);
    *width = PetscSqrtReal(fk->init.var_w);
  } else {
    PetscCall(FhnkLocalRho0(fk, p, &rho0));
    for (PetscInt i = 0; i < n; i++) lf[i] = -rho0 * PetscSqr(x[i] - V0) / (2 * fk->model.eps) + Fhnkn(&fk->model, x[i]);
    *width = PetscSqrtReal(fk->model.eps / rho0);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkModelRegisterAll(Fhnk fk)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListAdd(&fk->init_list, "gaussian", InitGaussian));
  PetscCall(PetscFunctionListAdd(&fk->init_list, "concentrated", InitConcentrated));
  PetscFunctionReturn(0);
}

/* Degree of N after dropping trailing zero coefficients (-1 for N = 0). */
PetscErrorCode FhnkPolyDegree(const FhnkModel *m, PetscInt *deg)
{
  PetscFunctionBeginUser;
  *deg = -1;
  for (PetscInt k = 0; k < m->nN; k++)
    if (m->N[k] != 0) *deg = k;
  PetscFunctionReturn(0);
}

/* V0(x) = m + A sin(2 pi x1/Lx), W0 likewise (SPEC 5), plus an optional local kick in x1. */
PetscErrorCode FhnkInitialMeans(Fhnk fk, const PetscReal *x, PetscReal *V0, PetscReal *W0)
{
  const PetscReal s = PetscSinReal(2 * PETSC_PI * x[0] / fk->space.Lx);
  PetscFunctionBeginUser;
  *V0 = fk->init.V0 + fk->init.V0amp * s;
  if (fk->init.kick != 0) *V0 += fk->init.kick * PetscExpReal(-PetscSqr(x[0] - fk->init.kick_x) / (2 * PetscSqr(fk->init.kick_width)));
  *W0 = fk->init.W0 + fk->init.W0amp * s;
  PetscFunctionReturn(0);
}

/* mean of exp(lf) sampled at x0 + i h, i < n (log-sum-exp scaled) */
static PetscReal SampledMean(PetscInt n, const PetscReal *x, const PetscReal *lf)
{
  PetscReal lmax = PETSC_MIN_REAL, s0 = 0, s1 = 0;
  for (PetscInt i = 0; i < n; i++) lmax = PetscMax(lmax, lf[i]);
  for (PetscInt i = 0; i < n; i++) {
    const PetscReal e = PetscExpReal(lf[i] - lmax);
    s0 += e;
    s1 += e * x[i];
  }
  return s1 / s0;
}

/* One variable (v: which = 0, w: which = 1) of the initial data at point p: the log-density at the
   cell centres, shifted by delta so that the discrete mean equals the mean of the continuous profile
   in the box. Where the profile is resolved delta is ~1e-16; where it is narrower than a cell, plain
   sampling would put the mean on the nearest cell centre (an O(dv) error in V(0)), this keeps it exact. */
static PetscErrorCode SampleVariable(Fhnk fk, FhnkInitFn fn, PetscInt p, PetscReal V0, PetscReal W0, PetscInt which, PetscReal *lf)
{
  const PetscInt   n  = which ? fk->ph.nw : fk->ph.nv;
  const PetscReal *xc = which ? fk->ph.w : fk->ph.v, h = which ? fk->ph.dw : fk->ph.dv;
  const PetscReal  lo = which ? fk->ph.wmin : fk->ph.vmin, hi = which ? fk->ph.wmax : fk->ph.vmax, c = which ? W0 : V0;
  PetscReal        width, target, a, bnd, *xf, *lff, *xs;
  PetscInt         nf;

  PetscFunctionBeginUser;
  PetscCall((*fn)(fk, p, V0, W0, which, n, xc, lf, &width));
  /* continuous mean: midpoint rule resolving both the cells and the width */
  {
    const PetscReal hf = PetscMin(h, width) / 16;
    PetscReal       a0 = lo, b0 = hi;
    if ((b0 - a0) / hf > 400000) { /* a very narrow profile: integrate around it */
      a0 = PetscMax(lo, c - 60 * width - 4 * h);
      b0 = PetscMin(hi, c + 60 * width + 4 * h);
    }
    nf = (PetscInt)PetscCeilReal((b0 - a0) / hf);
    nf = PetscMax(nf, 16);
    PetscCall(PetscMalloc3(nf, &xf, nf, &lff, n, &xs));
    for (PetscInt i = 0; i < nf; i++) xf[i] = a0 + (i + 0.5) * (b0 - a0) / nf;
    PetscCall((*fn)(fk, p, V0, W0, which, nf, xf, lff, &width));
    target = SampledMean(nf, xf, lff);
  }
  /* bisection on the shift: the sampled mean increases with delta */
  a   = -h;
  bnd = h;
  if (PetscAbsReal(SampledMean(n, xc, lf) - target) > 1e-15 * (PetscAbsReal(target) + h)) {
    for (PetscInt it = 0; it < 100 && bnd - a > 1e-17 * (1 + PetscAbsReal(c)); it++) {
      const PetscReal d = 0.5 * (a + bnd);
      for (PetscInt i = 0; i < n; i++) xs[i] = xc[i] - d;
      PetscCall((*fn)(fk, p, V0, W0, which, n, xs, lf, &width));
      if (SampledMean(n, xc, lf) < target) a = d;
      else bnd = d;
    }
  }
  PetscCall(PetscFree3(xf, lff, xs));
  PetscFunctionReturn(0);
}

/* f0 sampled at the cell centres (as logarithms, so that very concentrated data do not underflow
   before normalisation), means made exact (SampleVariable), then scaled so that
   sum f dv dw = rho0(x) exactly. */
PetscErrorCode FhnkInitialCondition(Fhnk fk, Vec f)
{
  FhnkInitFn     fn;
  PetscScalar   *a;
  const PetscInt nv = fk->ph.nv, nw = fk->ph.nw, nc = fk->ph.ncell;
  PetscReal     *lv, *lw;
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListFind(fk->init_list, fk->init.type, &fn));
  PetscCheck(fn, fk->comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "unknown -init %s", fk->init.type);
  PetscCall(PetscMalloc2(nv, &lv, nw, &lw));
  PetscCall(VecGetArray(f, &a));
  for (PetscInt p = 0; p < fk->nloc; p++) {
    PetscReal *fp = a + p * nc, V0, W0, rho0, lmax = PETSC_MIN_REAL, s = 0;
    PetscCall(FhnkInitialMeans(fk, fk->xloc + p * fk->space.dim, &V0, &W0));
    PetscCall(FhnkLocalRho0(fk, p, &rho0));
    PetscCall(SampleVariable(fk, fn, p, V0, W0, 0, lv));
    PetscCall(SampleVariable(fk, fn, p, V0, W0, 1, lw));
    for (PetscInt j = 0; j < nw; j++)
      for (PetscInt i = 0; i < nv; i++) lmax = PetscMax(lmax, lv[i] + lw[j]);
    for (PetscInt j = 0; j < nw; j++)
      for (PetscInt i = 0; i < nv; i++) {
        fp[j * nv + i] = PetscExpReal(lv[i] + lw[j] - lmax);
        s += fp[j * nv + i];
      }
    s *= fk->ph.dv * fk->ph.dw;
    for (PetscInt c = 0; c < nc; c++) fp[c] *= rho0 / s;
  }
  PetscCall(VecRestoreArray(f, &a));
  PetscCall(PetscFree2(lv, lw));
  PetscFunctionReturn(0);
}
