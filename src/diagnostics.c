/* Diagnostics (SPEC 1 and 5), computed point by point from f, two passes per point (the
   centred moments are summed around the mean, so D2 ~ eps/rho0 keeps its digits even when
   V is O(1)), then written as one row of each series. */
#include "diagnostics.h"
#include "io.h"
#include "model.h"
#include "operators.h"
#include "timestep.h"
#include "coupling.h"
#include "network.h"
#include <unistd.h>

typedef struct {
  PetscReal V, W, D2, Svw, Sww, E, mass, fmin, fmax, wall, H;
  PetscInt  excluded;
} PointDiag;

/* Tables of the phase grid that every point's diagnostics use: N(v_i) and n(v_i) per v-cell,
   1/(1 + |u|^2) per cell, and per w-line the v-cells inside |u| <= R (a contiguous range, v being
   sorted). Built once per sample (O(nv nw)), so the per-cell work below is multiply-adds and one
   logarithm where H is evaluated. */
typedef struct {
  PetscReal *Nv, *nv_, *inv1u2, *hv, *vf, *wf, *Nf; /* vf, wf, Nf: v_i, w_j, N(v_i) per cell j nv + i */
  PetscInt  *ilo, *ihi, ncellR;
} DiagTables;

static PetscErrorCode DiagTablesCreate(Fhnk fk, DiagTables *tb)
{
  const FhnkPhase *ph = &fk->ph;
  const PetscInt   nv = ph->nv, nw = ph->nw;
  const PetscReal  R2 = PetscSqr(fk->hopfcole_R);
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc6(nv, &tb->Nv, nv, &tb->nv_, nv * nw, &tb->inv1u2, nv, &tb->hv, nw, &tb->ilo, nw, &tb->ihi));
  PetscCall(PetscMalloc3(nv * nw, &tb->vf, nv * nw, &tb->wf, nv * nw, &tb->Nf));
  for (PetscInt i = 0; i < nv; i++) {
    tb->Nv[i]  = FhnkN(&fk->model, ph->v[i]);
    tb->nv_[i] = Fhnkn(&fk->model, ph->v[i]);
  }
  tb->ncellR = 0;
  for (PetscInt j = 0; j < nw; j++) {
    tb->ilo[j] = nv;
    tb->ihi[j] = -1;
    for (PetscInt i = 0; i < nv; i++) {
      const PetscReal u2 = ph->v[i] * ph->v[i] + ph->w[j] * ph->w[j];
      tb->inv1u2[j * nv + i] = 1 / (1 + u2);
      tb->vf[j * nv + i]     = ph->v[i];
      tb->wf[j * nv + i]     = ph->w[j];
      tb->Nf[j * nv + i]     = tb->Nv[i];
      if (u2 <= R2) {
        tb->ilo[j] = PetscMin(tb->ilo[j], i);
        tb->ihi[j] = PetscMax(tb->ihi[j], i);
        tb->ncellR++;
      }
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode DiagTablesDestroy(DiagTables *tb)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree6(tb->Nv, tb->nv_, tb->inv1u2, tb->hv, tb->ilo, tb->ihi));
  PetscCall(PetscFree3(tb->vf, tb->wf, tb->Nf));
  PetscFunctionReturn(0);
}

/* One point: f has nv*nw values. Vlim from the limit companion (for H). The sums run over the
   point's cells as one flat loop (vectorised: omp simd reductions, a fixed order for a given
   build, so the same bits on any number of ranks); the centred moments are a second pass around
   the mean, so D2 ~ eps/rho0 keeps its digits even when V is O(1). */
static void DiagPoint(Fhnk fk, DiagTables *tb, const PetscReal *f, PetscReal rho0, PetscReal Vlim, PointDiag *d)
{
  const FhnkPhase *ph = &fk->ph;
  const FhnkModel *m  = &fk->model;
  const PetscInt   nv = ph->nv, nw = ph->nw, nc = nv * nw;
  const PetscReal  eps = m->eps, lc = 0.5 * PetscLogReal(2 * PETSC_PI * eps / rho0);
  const PetscReal *v = ph->v, *vf = tb->vf, *wf = tb->wf, *Nf = tb->Nf;
  PetscReal        m0 = 0, m1 = 0, n1 = 0, mN = 0, svv = 0, svw = 0, sww = 0, fmin = PETSC_MAX_REAL, fmax = 0, wall = 0, H = 0, floor, V, W;
  PetscInt         used = 0;

#pragma omp simd reduction(+ : m0, m1, n1, mN) reduction(min : fmin) reduction(max : fmax)
  for (PetscInt c = 0; c < nc; c++) {
    const PetscReal x = f[c];
    m0 += x;
    m1 += vf[c] * x;
    n1 += wf[c] * x;
    mN += Nf[c] * x;
    fmin = PetscMin(fmin, x);
    fmax = PetscMax(fmax, x);
  }
  for (PetscInt i = 0; i < nv; i++) wall += f[i] + f[(nw - 1) * nv + i];
  for (PetscInt j = 1; j < nw - 1; j++) wall += f[j * nv] + f[j * nv + nv - 1];
  V = d->V = m1 / m0;
  W = d->W = n1 / m0;
#pragma omp simd reduction(+ : svv, svw, sww)
  for (PetscInt c = 0; c < nc; c++) {
    const PetscReal x = f[c], dvv = vf[c] - V, dww = wf[c] - W;
    svv += dvv * dvv * x;
    svw += dvv * dww * x;
    sww += dww * dww * x;
  }
  floor = PetscMax(FHNK_UNDERFLOW, fk->hopfcole_floor * fmax);
  /* H = eps ln(sqrt(2 pi eps/rho0) f) + rho0 (v - V_lim)^2/2 - eps n(v)   (Thm 1.5), over
     |u| <= R; the part that depends on v alone per v-cell. The far tail (f below hopfcole_floor
     of its peak, ~ 12 widths for 1e-30) and the wall cells carry no relative accuracy: counted
     as excluded, not used */
  for (PetscInt i = 0; i < nv; i++) tb->hv[i] = eps * lc + 0.5 * rho0 * PetscSqr(v[i] - Vlim) - eps * tb->nv_[i];
  for (PetscInt j = 1; j < nw - 1; j++) {
    const PetscInt   i0 = PetscMax(tb->ilo[j], 1), i1 = PetscMin(tb->ihi[j], nv - 2);
    const PetscReal *fl = f + j * nv, *iu = tb->inv1u2 + j * nv;
    for (PetscInt i = i0; i <= i1; i++) {
      const PetscReal x = fl[i];
      if (x > floor) {
        const PetscReal h = eps * PetscLogReal(x) + tb->hv[i];
        H                 = PetscMax(H, PetscAbsReal(h) * iu[i]);
        used++;
      }
    }
  }
  d->D2       = svv / m0;
  d->Svw      = svw / m0;
  d->Sww      = sww / m0;
  d->mass     = m0 * ph->dv * ph->dw;
  d->E        = mN / m0 - FhnkN(m, d->V); /* (1.8) with the discrete mass for rho0 */
  d->fmin     = fmin;
  d->fmax     = fmax;
  d->wall     = m0 > 0 ? wall / m0 : 0;
  d->H        = H;
  d->excluded = tb->ncellR - used;
}

PetscErrorCode FhnkDiagnosticsWrite(Fhnk fk, PetscReal t)
{
  const PetscInt     n = fk->nloc, nc = fk->ph.ncell, row = fk->nt;
  const PetscScalar *u, *r, *ul;
  PetscReal         *buf, *lv, *lw;
  PetscBool          kinetic;
  PetscReal          g[6]; /* mass (sum), -fmin, H, wall, fmax, outside: max-reduced except mass */
  PetscInt           excl = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(fk->log.diag, 0, 0, 0, 0));
  PetscCall(PetscStrcmp(fk->modeltype, "kinetic", &kinetic));
  PetscCall(PetscMalloc3(8 * n, &buf, n, &lv, n, &lw));
  PetscCall(VecGetArrayRead(fk->ulim, &ul));
  for (PetscInt p = 0; p < n; p++) {
    lv[p] = ul[2 * p];
    lw[p] = ul[2 * p + 1];
  }
  PetscCall(VecRestoreArrayRead(fk->ulim, &ul));
  /* Everything that can refuse the sample is computed and checked before the first append: a
     refused sample leaves no row (the series' rows are extended by the appends). */
  PetscReal netmass = 0;
  if (kinetic) {
    PetscReal mass = 0, fmin = PETSC_MAX_REAL, fmax = 0, H = 0, wall = 0, outside = 0;
    /* the means of a nonnegative density lie in the (v,w) box: a mean outside it (by more than
       a cell) means the negative values dominate, i.e. the scheme has blown up */
    const PetscReal vlo = fk->ph.v[0] - fk->ph.dv, vhi = fk->ph.v[fk->ph.nv - 1] + fk->ph.dv;
    const PetscReal wlo = fk->ph.w[0] - fk->ph.dw, whi = fk->ph.w[fk->ph.nw - 1] + fk->ph.dw;
    DiagTables tb;
    PetscCall(DiagTablesCreate(fk, &tb));
    PetscCall(VecGetArrayRead(fk->f, &u));
    PetscCall(VecGetArrayRead(fk->rho0, &r));
    for (PetscInt p = 0; p < n; p++) {
      PointDiag d;
      DiagPoint(fk, &tb, u + p * nc, r[p], lv[p], &d);
      buf[0 * n + p] = d.V;
      buf[1 * n + p] = d.W;
      buf[2 * n + p] = d.D2;
      buf[3 * n + p] = d.Svw;
      buf[4 * n + p] = d.Sww;
      buf[5 * n + p] = d.E;
      mass += d.mass * fk->space.dK;
      fmin = PetscMin(fmin, d.fmin);
      fmax = PetscMax(fmax, d.fmax);
      if (!(d.V >= vlo && d.V <= vhi && d.W >= wlo && d.W <= whi)) outside = 1;
      H    = PetscMax(H, d.H);
      wall = PetscMax(wall, d.wall);
      excl += d.excluded;
    }
    PetscCall(VecRestoreArrayRead(fk->rho0, &r));
    PetscCall(VecRestoreArrayRead(fk->f, &u));
    PetscCall(DiagTablesDestroy(&tb));
    PetscCall(MPIU_Allreduce(&mass, &g[0], 1, MPIU_REAL, MPIU_SUM, fk->comm));
    {
      PetscReal mx[5] = {-fmin, H, wall, fmax, outside};
      PetscCall(MPIU_Allreduce(MPI_IN_PLACE, mx, 5, MPIU_REAL, MPIU_MAX, fk->comm));
      g[1] = mx[0];
      g[2] = mx[1];
      g[3] = mx[2];
      g[4] = mx[3];
      g[5] = mx[4];
    }
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &excl, 1, MPIU_INT, MPI_SUM, fk->comm));
    PetscCheck(!PetscIsInfOrNanReal(g[0]) && !PetscIsInfOrNanReal(g[1]), fk->comm, PETSC_ERR_FP, "the solution is not finite at t = %g: reduce -ts_dt (explicit transport CFL) or check the options", (double)t);
    /* A finite but blown-up solution would otherwise be written as numbers: refused (exit 1,
       the sample not recorded). Negative values a tenth of the peak (legitimate undershoots of
       the high-order stages are ~1e-8 of it; the spiral scenario's Courant 8.8 gives 0.02), or a
       mean outside the box, do not describe a density; the usual cause is the explicit
       transport's Courant number. */
    PetscCheck(g[1] <= 0.1 * g[4] && g[5] == 0, fk->comm, PETSC_ERR_FP, "the solution has blown up at t = %g (min f = %.3g, max f = %.3g%s): reduce -ts_dt (explicit transport CFL, see the Courant numbers printed at start) or check the options", (double)t, (double)-g[1], (double)g[4], g[5] != 0 ? ", a mean V or W outside the (v,w) box" : "");
  } else if (fk->kind == FHNK_MODEL_NETWORK) { /* the same series, from the neurons of each column */
    PetscInt bad = 0;
    PetscCall(FhnkNetworkMoments(fk, buf, buf + n, buf + 2 * n, buf + 3 * n, buf + 4 * n, buf + 5 * n, &netmass));
    for (PetscInt p = 0; p < n; p++) bad += PetscIsInfOrNanReal(buf[p]) || PetscIsInfOrNanReal(buf[n + p]);
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &bad, 1, MPIU_INT, MPI_SUM, fk->comm));
    PetscCheck(!bad, fk->comm, PETSC_ERR_FP, "the network's state is not finite at t = %g: reduce -ts_dt (the drift is explicit) or check the options", (double)t);
  }
  PetscCall(FhnkIOReserve(fk));
  PetscCall(FhnkIOAppendScalar(fk, "time", row, t));
  if (kinetic) {
    {
      const char *names[] = {"V", "W", "D2", "Svw", "Sww", "E"};
      for (PetscInt k = 0; k < 6; k++) PetscCall(FhnkIOAppendField(fk, names[k], row, buf + k * n));
    }
    PetscCall(FhnkConvolve(fk, buf, buf + 6 * n)); /* the long-range input Psi*(rho0 V) */
    PetscCall(FhnkIOAppendField(fk, "coupling/Q", row, buf + 6 * n));
    for (PetscInt iq = 0; iq < fk->nq; iq++) { /* (2.2): D_q = <|v - V|^q>, M_q = <|u|^q> */
      const PetscReal q = fk->q[iq];
      char            name[64];
      PetscCall(VecGetArrayRead(fk->f, &u));
      for (PetscInt p = 0; p < n; p++) {
        const PetscReal *fp = u + p * nc;
        PetscReal        m0 = 0, d = 0, mm = 0;
        for (PetscInt j = 0; j < fk->ph.nw; j++)
          for (PetscInt i = 0; i < fk->ph.nv; i++) {
            const PetscReal x = fp[j * fk->ph.nv + i];
            m0 += x;
            d += PetscPowReal(PetscAbsReal(fk->ph.v[i] - buf[p]), q) * x;
            mm += PetscPowReal(PetscSqrtReal(PetscSqr(fk->ph.v[i]) + PetscSqr(fk->ph.w[j])), q) * x;
          }
        buf[6 * n + p] = d / m0;
        buf[7 * n + p] = mm / m0;
      }
      PetscCall(VecRestoreArrayRead(fk->f, &u));
      snprintf(name, sizeof(name), "moments/D%g", (double)q);
      PetscCall(FhnkIOAppendField(fk, name, row, buf + 6 * n));
      snprintf(name, sizeof(name), "moments/M%g", (double)q);
      PetscCall(FhnkIOAppendField(fk, name, row, buf + 7 * n));
    }
    PetscCall(FhnkIOAppendScalar(fk, "mass", row, g[0]));
    PetscCall(FhnkIOAppendScalar(fk, "fmin", row, -g[1]));
    PetscCall(FhnkIOAppendScalar(fk, "hopfcole/H", row, g[2]));
    PetscCall(FhnkIOAppendScalar(fk, "hopfcole/excluded", row, (PetscReal)excl));
    if (!fk->warned_neg && g[1] > 1e-6 * g[4]) {
      /* small negative values (the ARKIMEX stages, a limiter-free high-order flux) are normal
         below ~1e-8 of the peak; above 1e-6 the numbers are no longer those of a density */
      fk->warned_neg = PETSC_TRUE;
      PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: WARNING: at t = %g, min f = %.3g is %.2g of max f: positivity lost (explicit transport Courant number > 1?); lower -ts_dt for trustworthy numbers\n", (double)t, (double)-g[1], (double)(g[1] / g[4])));
    }
    if (!fk->warned_wall && g[3] > 1e-8) {
      fk->warned_wall = PETSC_TRUE;
      PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: WARNING: at t = %g, %.2e of the mass of a point sits in the outer cells of the (v,w) box: enlarge -vmin/-vmax/-wmin/-wmax (results near the walls are affected by the zero-flux walls)\n", (double)t, (double)g[3]));
    }
  } else if (fk->kind == FHNK_MODEL_NETWORK) {
    const char *names[] = {"V", "W", "D2", "Svw", "Sww", "E"};
    for (PetscInt k = 0; k < 6; k++) PetscCall(FhnkIOAppendField(fk, names[k], row, buf + k * n));
    PetscCall(FhnkConvolve(fk, buf, buf + 6 * n));
    PetscCall(FhnkIOAppendField(fk, "coupling/Q", row, buf + 6 * n));
    PetscCall(FhnkIOAppendScalar(fk, "mass", row, netmass));
  } else {
    PetscCall(FhnkIOAppendField(fk, "V", row, lv));
    PetscCall(FhnkIOAppendField(fk, "W", row, lw));
    PetscCall(FhnkConvolve(fk, lv, buf));
    PetscCall(FhnkIOAppendField(fk, "coupling/Q", row, buf));
  }
  PetscCall(FhnkIOAppendField(fk, "limit/V", row, lv));
  PetscCall(FhnkIOAppendField(fk, "limit/W", row, lw));
  PetscCall(FhnkIOSampleDone(fk, row)); /* flushed: the sample survives whatever happens next */
  fk->nt++;
  PetscCall(PetscFree3(buf, lv, lw));
  PetscCall(PetscLogEventEnd(fk->log.diag, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Printed once at start: cells per concentration width sqrt(eps/rho0) and the Courant numbers
   of the explicit transport; warns rather than letting under-resolved numbers pass silently. */
PetscErrorCode FhnkResolutionReport(Fhnk fk)
{
  PetscReal rmax, width, cells, cflv, cflw;
  PetscBool kinetic;
  PetscFunctionBeginUser;
  PetscCall(PetscStrcmp(fk->modeltype, "kinetic", &kinetic));
  if (!kinetic) PetscFunctionReturn(0);
  PetscCall(VecMax(fk->rho0, NULL, &rmax));
  width = PetscSqrtReal(fk->model.eps / rmax);
  cells = width / fk->ph.dv;
  PetscCall(FhnkCFL(fk, fk->f, fk->dt, &cflv, &cflw));
  if (!fk->quiet) PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: concentration width sqrt(eps/rho0) = %.3g = %.3g v-cells; transport Courant numbers where f lives: v %.3g, w %.3g\n", (double)width, (double)cells, (double)cflv, (double)cflw));
  if (cells < 3) {
    PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: WARNING: the v-grid is UNDER-RESOLVED: %.3g cells per sqrt(eps/rho0) (want >= 3). V, W stay correct (the stiff solve keeps the mean exact) but D2, E and Hopf-Cole H reflect the grid, not the model: raise -nv or narrow -vmin/-vmax.\n", (double)cells));
  }
  {
    /* in v the implicit relaxation (rate rho0/eps) damps the transport when dt rho0/eps > 1 */
    PetscReal rmin;
    PetscCall(VecMin(fk->rho0, NULL, &rmin));
    if (cflw > 1 || (cflv > 1 && fk->dt * rmin / fk->model.eps < 1)) PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: WARNING: explicit transport Courant number above 1 where f lives (v %.3g, w %.3g) with no stiff damping: the run may be unstable; lower -ts_dt\n", (double)cflv, (double)cflw));
  }
  PetscFunctionReturn(0);
}

/* Snapshots (kinetic; network with -network_hist, f being then the histogram density of the
   column's neurons): the selected points' f are sent to rank 0 (a few phase-space blocks, for output only;
   the solver itself never gathers f) and written to DIR/snapshots.h5 as /snapshot_NNNN/f and /phi
   [nsel x nw x nv], attributes time and points. Rewriting a snapshot (after a restart) replaces it. */
PetscErrorCode FhnkSnapshotWrite(Fhnk fk, PetscInt index, PetscReal t)
{
  const PetscInt     nc = fk->ph.ncell, ns = fk->nsnap_pts;
  PetscReal         *buf = NULL, *rho = NULL, *hist = NULL;
  const PetscScalar *u = NULL, *r;
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(fk->log.io, 0, 0, 0, 0));
  if (!fk->rank) PetscCall(PetscMalloc2(ns * nc, &buf, ns, &rho));
  /* the phase-space data of a point: f (kinetic), or the histogram of its neurons (network) */
  if (fk->kind == FHNK_MODEL_KINETIC) PetscCall(VecGetArrayRead(fk->f, &u));
  else PetscCall(PetscMalloc1(nc, &hist));
  PetscCall(VecGetArrayRead(fk->rho0, &r));
  for (PetscInt k = 0; k < ns; k++) {
    PetscMPIInt      owner = 0, mine = -1;
    const PetscReal *src   = NULL;
    for (PetscInt p = 0; p < fk->nloc; p++)
      if (fk->nat[p] == fk->snap_pts[k]) mine = p;
    {
      PetscMPIInt flag = mine >= 0 ? fk->rank : -1;
      PetscCallMPI(MPI_Allreduce(&flag, &owner, 1, MPI_INT, MPI_MAX, fk->comm));
    }
    if (mine >= 0) {
      if (fk->kind == FHNK_MODEL_KINETIC) src = u + mine * nc;
      else {
        PetscCall(FhnkNetworkHistogram(fk, mine, hist));
        src = hist;
      }
    }
    if (owner == 0) {
      if (!fk->rank) {
        PetscCall(PetscArraycpy(buf + k * nc, src, nc));
        rho[k] = r[mine];
      }
    } else if (fk->rank == owner) {
      PetscCallMPI(MPI_Send(src, (PetscMPIInt)nc, MPIU_REAL, 0, 17, fk->comm));
      PetscCallMPI(MPI_Send(r + mine, 1, MPIU_REAL, 0, 18, fk->comm));
    } else if (!fk->rank) {
      PetscCallMPI(MPI_Recv(buf + k * nc, (PetscMPIInt)nc, MPIU_REAL, owner, 17, fk->comm, MPI_STATUS_IGNORE));
      PetscCallMPI(MPI_Recv(rho + k, 1, MPIU_REAL, owner, 18, fk->comm, MPI_STATUS_IGNORE));
    }
  }
  PetscCall(VecRestoreArrayRead(fk->rho0, &r));
  if (fk->kind == FHNK_MODEL_KINETIC) PetscCall(VecRestoreArrayRead(fk->f, &u));
  else PetscCall(PetscFree(hist));
  {
    char path[PETSC_MAX_PATH_LEN], why[300] = "";
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/snapshots.h5", fk->outdir));
    if (!fk->rank) {
      char      grp[64];
      hid_t     file, g = -1, sp, ds, at, asp;
      hsize_t   dims[3] = {(hsize_t)ns, (hsize_t)fk->ph.nw, (hsize_t)fk->ph.nv}, one = 1, np = (hsize_t)ns;
      long long *pts;
      herr_t    st = 0;
      PetscCall(PetscMalloc1(ns, &pts));
      file = access(path, F_OK) == 0 ? H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT) : -1;
      if (file < 0) { /* a new file carries the run identity and the parameters */
        hid_t fapl = FhnkH5Fapl(fk, PETSC_FALSE);
        file       = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
        H5Pclose(fapl);
        if (file >= 0) PetscCall(FhnkWriteAttributes(fk, file));
      }
      if (file < 0) st = -1;
      else {
        PetscCall(FhnkIOReserveFile(fk, file, path, 16.0 * ns * nc + 65536)); /* a kill leaves a file that opens */
        PetscCall(PetscSNPrintf(grp, sizeof(grp), "snapshot_%04d", (int)index));
        if (H5Lexists(file, grp, H5P_DEFAULT) > 0) st |= H5Ldelete(file, grp, H5P_DEFAULT);
        g  = H5Gcreate2(file, grp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        sp = H5Screate_simple(3, dims, NULL);
        ds = H5Dcreate2(g, "f", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (g < 0 || ds < 0 || H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) st = -1;
        H5Dclose(ds);
        /* phi (1.10); NaN where f has underflowed (no value is invented there) */
        for (PetscInt k = 0; k < ns; k++)
          for (PetscInt c = 0; c < nc; c++) {
            PetscReal *x = buf + k * nc + c;
            *x           = *x > FHNK_UNDERFLOW ? fk->model.eps * (0.5 * PetscLogReal(2 * PETSC_PI * fk->model.eps / rho[k]) + PetscLogReal(*x)) : NAN;
          }
        ds = H5Dcreate2(g, "phi", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (ds < 0 || H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) st = -1;
        H5Dclose(ds);
        H5Sclose(sp);
        asp = H5Screate_simple(1, &one, NULL);
        at  = H5Acreate2(g, "time", H5T_NATIVE_DOUBLE, asp, H5P_DEFAULT, H5P_DEFAULT);
        if (at < 0 || H5Awrite(at, H5T_NATIVE_DOUBLE, &t) < 0) st = -1;
        H5Aclose(at);
        H5Sclose(asp);
        for (PetscInt k = 0; k < ns; k++) pts[k] = fk->snap_pts[k];
        asp = H5Screate_simple(1, &np, NULL);
        at  = H5Acreate2(g, "points", H5T_NATIVE_LLONG, asp, H5P_DEFAULT, H5P_DEFAULT);
        if (at < 0 || H5Awrite(at, H5T_NATIVE_LLONG, pts) < 0) st = -1;
        H5Aclose(at);
        H5Sclose(asp);
        H5Gclose(g);
        if (H5Fclose(file) < 0) st = -1;
      }
      if (st < 0) FhnkIOReason(path, why, sizeof(why));
      PetscCall(PetscFree(pts));
      PetscCall(PetscFree2(buf, rho));
    }
    PetscCallMPI(MPI_Bcast(why, sizeof(why), MPI_CHAR, 0, fk->comm));
    PetscCheck(!why[0], fk->comm, PETSC_ERR_FILE_WRITE, "writing the snapshot at t = %g into %s failed: %s", (double)t, path, why);
  }
  PetscCall(PetscLogEventEnd(fk->log.io, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
