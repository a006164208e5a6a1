/* -model network (issue 10): the m-neuron FitzHugh-Nagumo system of the seed, column by column.

   Columns. Column k (the point x_k of K, cell volume |dK|) holds n_k = max(1, round(m rho0_k |dK|))
   neurons (round half away from zero). Neuron ids are global: the columns in natural order, the
   neurons of a column consecutive. Every rank owns whole columns (those of its points of K).

   Where the column model comes from (docs/network.md). The seed's interaction
   -(1/m) sum_j Phi(x_i, x_j)(v_i - v_j) with Phi = Psi + delta_0/eps, the Dirac read on the grid of
   K as 1/|dK| on the same column, gives for neuron i of column k
     -(n_k/(m |dK| eps)) (v_i - Vbar_k) - (1/m) sum_l n_l Psi_kl (v_i - Vbar_l)
   and with n_l/(m |dK|) -> rho0_l (the midpoint rule of SPEC 3, exact as m -> infinity):
     -(rho0_k/eps)(v_i - Vbar_k) - v_i P_k + Q_k,   P = Psi*rho0,  Q = Psi*(rho0 Vbar).

   One step of size h (Strang splitting of the stiff part S and the drift D):
     S(h/2) D(h) S(h/2)
   S is the column's relaxation plus noise, a linear SDE solved exactly: over a time s, with
   u_i = v_i - Vbar_k, k = rho0_k/eps and xi_i independent standard normals (mean xibar),
     Vbar_k <- Vbar_k + sqrt(2 s) xibar,     u_i <- e^{-k s} u_i + sqrt((1 - e^{-2 k s})/k) (xi_i - xibar)
   (xibar and xi - xibar are independent, so both moves are exactly distributed): the relaxation
   keeps the column mean, only the column's own averaged noise moves it, and S is exact for every
   eps. Ending every step with S keeps the scheme right when eps << h: the deviations leave the
   step freshly relaxed (variance eps/rho0, uncorrelated with w up to O(eps)), as the kinetic
   solution has them; the order D S D leaves a spurious covariance S_vw ~ h S_ww there. D is the rest,
     v' = N(v) - w + I_ext - v P + Q,  w' = a v - b w + c,
   by Heun's method, with Q taken at the middle of the step from the column means extrapolated
   (3 Vbar_n - Vbar_{n-1})/2 (one convolution per step). Weak order 2 for smooth data (tested >= 1).

   Random numbers: Philox4x32-10 (Random123), key = -network_seed, counter = (neuron id / 4, step,
   stream; two streams for the two S of a step): every draw is fixed by the seed, the neuron and the step, so a run gives the same bits
   on any number of ranks and after a restart. Box-Muller turns four 32-bit words into four
   normals. */
#include "network.h"
#include "options.h"
#include "model.h"
#include "coupling.h"
#include "stimulus.h"
#include "io.h"
#include "rng.h"

#define STREAM_STEP  0u
#define STREAM_INITV 1u
#define STREAM_INITW 2u
#define STREAM_STEP2 3u

PetscErrorCode FhnkNetworkOptions(Fhnk fk)
{
  FhnkNetwork *net = &fk->net;
  PetscFunctionBeginUser;
  net->m    = 100000;
  net->seed = 1;
  net->hist = PETSC_FALSE;
  PetscOptionsBegin(fk->comm, NULL, "fhnk network: -model network, the m-neuron system of the seed (SPEC 6)", "fhnk");
  {
    PetscInt m = (PetscInt)net->m, seed = (PetscInt)net->seed;
    PetscCall(PetscOptionsInt("-network_m", "neurons in all (column k holds round(m rho0_k |dK|), at least 1)", "", m, &m, NULL));
    PetscCall(PetscOptionsInt("-network_seed", "key of the counter-based random numbers (Philox): with the neuron id and the step it fixes every draw", "", seed, &seed, NULL));
    net->m    = m;
    net->seed = seed;
  }
  PetscCall(PetscOptionsBool("-network_hist", "histograms of (v,w) on the phase grid at the snapshot times and points (snapshots.h5)", "", net->hist, &net->hist, NULL));
  PetscOptionsEnd();
  if (net->m < 1) PetscCall(FhnkBad(fk, "-network_m must be >= 1 (got %lld)", (long long)net->m));
  if (net->seed < 0) PetscCall(FhnkBad(fk, "-network_seed must be >= 0 (got %lld)", (long long)net->seed));
  PetscFunctionReturn(0);
}

/* n_q for the point of natural index q, from the (rank-independent) rho0 */
static PetscInt64 ColumnCount(Fhnk fk, PetscReal rho0)
{
  const PetscReal x = round((PetscReal)fk->net.m * rho0 * fk->space.dK); /* half away from zero */
  return x < 1 ? 1 : (PetscInt64)x;
}

PetscErrorCode FhnkNetworkSetUp(Fhnk fk)
{
  FhnkNetwork       *net = &fk->net;
  const PetscScalar *r;
  PetscInt64         total = 0;
  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(fk->nloc + 1, &net->offset, fk->nloc, &net->gid0));
  PetscCall(PetscCalloc3(fk->nloc, &net->Vbar, fk->nloc, &net->Vprev, fk->nloc, &net->Q));
  /* the global ids: prefix sums of n_q over all points of K in natural order, the same on every
     rank (rho0 is an analytic function normalised in natural order: the same bits everywhere) */
  {
    PetscInt64 *start;
    PetscCall(PetscMalloc1(fk->space.npts + 1, &start));
    {
      /* rho0 of every point: the grid's rule, recomputed here for all of K */
      Vec                nat;
      VecScatter         toall;
      const PetscScalar *a;
      PetscCall(DMDACreateNaturalVector(fk->da1, &nat));
      PetscCall(DMDAGlobalToNaturalBegin(fk->da1, fk->rho0, INSERT_VALUES, nat));
      PetscCall(DMDAGlobalToNaturalEnd(fk->da1, fk->rho0, INSERT_VALUES, nat));
      {
        Vec all;
        PetscCall(VecScatterCreateToAll(nat, &toall, &all));
        PetscCall(VecScatterBegin(toall, nat, all, INSERT_VALUES, SCATTER_FORWARD));
        PetscCall(VecScatterEnd(toall, nat, all, INSERT_VALUES, SCATTER_FORWARD));
        PetscCall(VecGetArrayRead(all, &a));
        start[0] = 0;
        for (PetscInt q = 0; q < fk->space.npts; q++) start[q + 1] = start[q] + ColumnCount(fk, a[q]);
        PetscCall(VecRestoreArrayRead(all, &a));
        PetscCall(VecScatterDestroy(&toall));
        PetscCall(VecDestroy(&all));
      }
      PetscCall(VecDestroy(&nat));
    }
    net->ntotal    = start[fk->space.npts];
    net->offset[0] = 0;
    for (PetscInt p = 0; p < fk->nloc; p++) {
      const PetscInt q = fk->nat[p];
      net->gid0[p]     = start[q];
      net->offset[p + 1] = net->offset[p] + (PetscInt)(start[q + 1] - start[q]);
    }
    PetscCall(PetscFree(start));
  }
  net->nlocal = net->offset[fk->nloc];
  total       = net->nlocal;
  PetscCall(PetscMalloc2(PetscMax(net->nlocal, 1), &net->v, PetscMax(net->nlocal, 1), &net->w));
  {
    PetscInt nmax = 0;
    for (PetscInt p = 0; p < fk->nloc; p++) nmax = PetscMax(nmax, net->offset[p + 1] - net->offset[p]);
    PetscCall(PetscMalloc1(nmax + 8, &net->xi));
  }
  (void)total;
  PetscCall(VecGetArrayRead(fk->rho0, &r));
  PetscCall(VecRestoreArrayRead(fk->rho0, &r));
  if (!fk->quiet) PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: network: %lld neurons in %" PetscInt_FMT " columns (m = %lld; n_k = round(m rho0_k |dK|) >= 1)\n", (long long)net->ntotal, fk->space.npts, (long long)net->m));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkNetworkDestroy(Fhnk fk)
{
  FhnkNetwork *net = &fk->net;
  PetscFunctionBeginUser;
  PetscCall(PetscFree2(net->offset, net->gid0));
  PetscCall(PetscFree3(net->Vbar, net->Vprev, net->Q));
  PetscCall(PetscFree2(net->v, net->w));
  PetscCall(PetscFree(net->xi));
  FhnkRngFree(&net->rng);
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------
   Random numbers */

/* normals of the neurons gid0 .. gid0+n-1 of a column, for a step and a stream, into z */
static void Normals(FhnkNetwork *net, PetscInt64 gid0, PetscInt n, uint64_t step, uint32_t stream, double *z)
{
  FhnkRngNormals((uint64_t)net->seed, stream, step, (int64_t)gid0, (int64_t)n, z, &net->rng);
}

/* sum in a fixed order (four interleaved partial sums, then combined): the same bits on every
   rank, and no chain of dependent additions */
static PetscReal Sum(PetscInt n, const PetscReal *restrict x)
{
  PetscReal s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  PetscInt  i  = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[i];
    s1 += x[i + 1];
    s2 += x[i + 2];
    s3 += x[i + 3];
  }
  for (; i < n; i++) s0 += x[i];
  return (s0 + s1) + (s2 + s3);
}

/* ---------------------------------------------------------------------------------------------
   Initial data: drawn from the law of the kinetic -init choice at each column */

/* the v-marginal of -init concentrated, exp(-rho0 (v-V0)^2/(2 eps) + n(v)), restricted to the
   v box like the kinetic data, by the inverse of its distribution function tabulated on 8192 cells
   of [max(vmin, V0 - 40 s), min(vmax, V0 + 40 s)], s = sqrt(eps/rho0): a uniform draw picks a cell
   by bisection of the cumulative sums and a uniform position in it */
#define NTAB 8192
static void SampleConcentrated(Fhnk fk, PetscReal rho0, PetscReal V0, PetscInt n, const double *z, PetscReal *out, double *cdf)
{
  const PetscReal s = PetscSqrtReal(fk->model.eps / rho0), a = PetscMax(fk->ph.vmin, V0 - 40 * s), b = PetscMin(fk->ph.vmax, V0 + 40 * s), h = (b - a) / NTAB;
  PetscReal       lmax = PETSC_MIN_REAL;
  for (PetscInt j = 0; j < NTAB; j++) {
    const PetscReal v = a + (j + 0.5) * h;
    cdf[j + 1]        = -rho0 * PetscSqr(v - V0) / (2 * fk->model.eps) + Fhnkn(&fk->model, v);
    lmax              = PetscMax(lmax, cdf[j + 1]);
  }
  cdf[0] = 0;
  for (PetscInt j = 0; j < NTAB; j++) cdf[j + 1] = cdf[j] + PetscExpReal(cdf[j + 1] - lmax);
  for (PetscInt i = 0; i < n; i++) {
    /* z holds normals; their standard normal distribution function gives the uniforms */
    const double u = 0.5 * erfc(-z[i] / 1.4142135623730951) * cdf[NTAB];
    PetscInt     lo = 0, hi = NTAB;
    while (hi - lo > 1) {
      const PetscInt mid = (lo + hi) / 2;
      if (cdf[mid] <= u) lo = mid;
      else hi = mid;
    }
    {
      const double frac = (u - cdf[lo]) / PetscMax(cdf[lo + 1] - cdf[lo], 1e-300);
      out[i]            = a + (lo + PetscMin(PetscMax(frac, 0.0), 1.0)) * h;
    }
  }
}

PetscErrorCode FhnkNetworkInitial(Fhnk fk)
{
  FhnkNetwork       *net = &fk->net;
  const PetscScalar *r;
  PetscBool          conc;
  double            *cdf = NULL;
  PetscFunctionBeginUser;
  PetscCall(PetscStrcmp(fk->init.type, "concentrated", &conc));
  if (conc) PetscCall(PetscMalloc1(NTAB + 1, &cdf));
  PetscCall(VecGetArrayRead(fk->rho0, &r));
  for (PetscInt p = 0; p < fk->nloc; p++) {
    const PetscInt n = net->offset[p + 1] - net->offset[p];
    PetscReal     *v = net->v + net->offset[p], *w = net->w + net->offset[p], V0, W0;
    PetscCall(FhnkInitialMeans(fk, fk->xloc + p * fk->space.dim, &V0, &W0));
    Normals(net, net->gid0[p], n, 0, STREAM_INITV, net->xi);
    if (conc) SampleConcentrated(fk, r[p], V0, n, net->xi, v, cdf);
    else {
      const PetscReal sv = PetscSqrtReal(fk->init.var_v);
      for (PetscInt i = 0; i < n; i++) v[i] = V0 + sv * net->xi[i];
    }
    Normals(net, net->gid0[p], n, 0, STREAM_INITW, net->xi);
    {
      const PetscReal sw = PetscSqrtReal(fk->init.var_w);
      for (PetscInt i = 0; i < n; i++) w[i] = W0 + sw * net->xi[i];
    }
  }
  PetscCall(VecRestoreArrayRead(fk->rho0, &r));
  PetscCall(PetscFree(cdf));
  net->step = 0;
  PetscCall(FhnkNetworkMeans(fk));
  for (PetscInt p = 0; p < fk->nloc; p++) net->Vprev[p] = net->Vbar[p];
  PetscFunctionReturn(0);
}

/* column means of v (summed in neuron order: the same bits on any number of ranks) */
PetscErrorCode FhnkNetworkMeans(Fhnk fk)
{
  FhnkNetwork *net = &fk->net;
  PetscFunctionBeginUser;
  for (PetscInt p = 0; p < fk->nloc; p++) {
    const PetscInt n = net->offset[p + 1] - net->offset[p];
    net->Vbar[p]     = Sum(n, net->v + net->offset[p]) / n;
  }
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------
   One step */

/* Heun's method for v' = N(v) - w + c0 - P v, w' = a v - b w + c over h, for n neurons. N is
   evaluated with its coefficients padded to a fixed count (4 or 8), so that the loop vectorizes. */
#define DRIFT_BODY(NC) \
  for (PetscInt i = 0; i < n; i++) { \
    const PetscReal v0 = v[i], w0 = w[i]; \
    PetscReal       N0 = cN[NC - 1], N1; \
    for (int k = NC - 2; k >= 0; k--) N0 = N0 * v0 + cN[k]; \
    { \
      const PetscReal f0 = N0 - w0 + c0 - P * v0, g0 = a * v0 - b * w0 + c; \
      const PetscReal v1 = v0 + h * f0, w1 = w0 + h * g0; \
      N1 = cN[NC - 1]; \
      for (int k = NC - 2; k >= 0; k--) N1 = N1 * v1 + cN[k]; \
      v[i] = v0 + 0.5 * h * (f0 + N1 - w1 + c0 - P * v1); \
      w[i] = w0 + 0.5 * h * (g0 + a * v1 - b * w1 + c); \
    } \
  }
static void Drift4(const PetscReal *restrict cN, PetscReal a, PetscReal b, PetscReal c, PetscInt n, PetscReal h, PetscReal c0, PetscReal P, PetscReal *restrict v, PetscReal *restrict w) { DRIFT_BODY(4) }
static void Drift8(const PetscReal *restrict cN, PetscReal a, PetscReal b, PetscReal c, PetscInt n, PetscReal h, PetscReal c0, PetscReal P, PetscReal *restrict v, PetscReal *restrict w) { DRIFT_BODY(8) }
static void Drift(const FhnkModel *md, PetscInt n, PetscReal h, PetscReal c0, PetscReal P, PetscReal *restrict v, PetscReal *restrict w)
{
  PetscReal cN[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  if (md->nN <= 8) {
    for (PetscInt k = 0; k < md->nN; k++) cN[k] = md->N[k];
    if (md->nN <= 4) Drift4(cN, md->a, md->b, md->c, n, h, c0, P, v, w);
    else Drift8(cN, md->a, md->b, md->c, n, h, c0, P, v, w);
    return;
  }
  for (PetscInt i = 0; i < n; i++) { /* a polynomial of degree 8 or more */
    const PetscReal v0 = v[i], w0 = w[i];
    const PetscReal f0 = FhnkN(md, v0) - w0 + c0 - P * v0, g0 = md->a * v0 - md->b * w0 + md->c;
    const PetscReal v1 = v0 + h * f0, w1 = w0 + h * g0;
    v[i] = v0 + 0.5 * h * (f0 + FhnkN(md, v1) - w1 + c0 - P * v1);
    w[i] = w0 + 0.5 * h * (g0 + md->a * v1 - md->b * w1 + md->c);
  }
}

/* the stiff part of the column, exactly (see the top of the file) */
static void Relax(PetscInt n, PetscReal Vn, PetscReal Vb, PetscReal e, PetscReal sd, PetscReal xb, const PetscReal *restrict xi, PetscReal *restrict v)
{
  for (PetscInt i = 0; i < n; i++) v[i] = Vn + e * (v[i] - Vb) + sd * (xi[i] - xb);
}

PetscErrorCode FhnkNetworkStep(Fhnk fk, PetscReal t, PetscReal h)
{
  FhnkNetwork       *net = &fk->net;
  const FhnkModel   *md  = &fk->model;
  const PetscScalar *r, *P;
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(fk->log.network, 0, 0, 0, 0));
  /* Q at the middle of the step, from the column means extrapolated there */
  for (PetscInt p = 0; p < fk->nloc; p++) net->Q[p] = 1.5 * net->Vbar[p] - 0.5 * net->Vprev[p];
  PetscCall(FhnkConvolve(fk, net->Q, net->Q));
  FhnkStimAdd(fk, t + 0.5 * h, net->Q); /* I_ext: constant on the step (steps end on its jumps) */
  net->step++;
  PetscCall(VecGetArrayRead(fk->rho0, &r));
  PetscCall(VecGetArrayRead(fk->cpl.P, &P));
  for (PetscInt p = 0; p < fk->nloc; p++) {
    const PetscInt  n = net->offset[p + 1] - net->offset[p];
    PetscReal      *v = net->v + net->offset[p], *w = net->w + net->offset[p], *xi = net->xi;
    const PetscReal k = r[p] / md->eps, e = PetscExpReal(-0.5 * k * h), sd = PetscSqrtReal(-expm1(-k * h) / k), sm = PetscSqrtReal(h);
    for (int half = 0; half < 2; half++) {
      PetscReal Vb, xb;
      if (half) Drift(md, n, h, net->Q[p], P[p], v, w);
      /* S(h/2): exact relaxation to the column mean with the noise */
      Vb = Sum(n, v) / n;
      Normals(net, net->gid0[p], n, (uint64_t)net->step, half ? STREAM_STEP2 : STREAM_STEP, xi);
      xb = Sum(n, xi) / n;
      Relax(n, Vb + sm * xb, Vb, e, sd, xb, xi, v);
    }
    net->Vprev[p] = net->Vbar[p];
    net->Vbar[p]  = Sum(n, v) / n;
  }
  PetscCall(VecRestoreArrayRead(fk->cpl.P, &P));
  PetscCall(VecRestoreArrayRead(fk->rho0, &r));
  PetscCall(PetscLogEventEnd(fk->log.network, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------
   Diagnostics: the moments of each column (SPEC 5's series, from the neurons) */
PetscErrorCode FhnkNetworkMoments(Fhnk fk, PetscReal *V, PetscReal *W, PetscReal *D2, PetscReal *Svw, PetscReal *Sww, PetscReal *E, PetscReal *mass)
{
  FhnkNetwork *net = &fk->net;
  PetscInt64   n_all = 0;
  PetscFunctionBeginUser;
  for (PetscInt p = 0; p < fk->nloc; p++) {
    const PetscInt   n = net->offset[p + 1] - net->offset[p];
    const PetscReal *v = net->v + net->offset[p], *w = net->w + net->offset[p];
    PetscReal        sv = 0, sw = 0, svv = 0, svw = 0, sww = 0, sN = 0;
    for (PetscInt i = 0; i < n; i++) {
      sv += v[i];
      sw += w[i];
      sN += FhnkN(&fk->model, v[i]);
    }
    V[p] = sv / n;
    W[p] = sw / n;
    for (PetscInt i = 0; i < n; i++) {
      const PetscReal dv = v[i] - V[p], dw = w[i] - W[p];
      svv += dv * dv;
      svw += dv * dw;
      sww += dw * dw;
    }
    D2[p]  = svv / n;
    Svw[p] = svw / n;
    Sww[p] = sww / n;
    E[p]   = sN / n - FhnkN(&fk->model, V[p]);
    n_all += n;
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &n_all, 1, MPIU_INT64, MPI_SUM, fk->comm));
  *mass = (PetscReal)n_all / (PetscReal)net->m; /* neurons per requested neuron: 1 up to the rounding of n_k */
  PetscFunctionReturn(0);
}

/* histogram of (v,w) of local column p on the phase grid, as a density with the mass of f:
   hist = rho0 (count per cell) / (n dv dw); neurons outside the box are not counted */
PetscErrorCode FhnkNetworkHistogram(Fhnk fk, PetscInt p, PetscReal *hist)
{
  FhnkNetwork       *net = &fk->net;
  const FhnkPhase   *ph  = &fk->ph;
  const PetscInt     n   = net->offset[p + 1] - net->offset[p];
  const PetscReal   *v = net->v + net->offset[p], *w = net->w + net->offset[p];
  const PetscScalar *r;
  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(hist, ph->ncell));
  PetscCall(VecGetArrayRead(fk->rho0, &r));
  for (PetscInt i = 0; i < n; i++) {
    const PetscInt iv = (PetscInt)PetscFloorReal((v[i] - ph->vmin) / ph->dv), jw = (PetscInt)PetscFloorReal((w[i] - ph->wmin) / ph->dw);
    if (iv >= 0 && iv < ph->nv && jw >= 0 && jw < ph->nw) hist[jw * ph->nv + iv] += 1;
  }
  for (PetscInt c = 0; c < ph->ncell; c++) hist[c] *= r[p] / (n * ph->dv * ph->dw);
  PetscCall(VecRestoreArrayRead(fk->rho0, &r));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------------------------
   Checkpoints: /network/v, /network/w [ntotal] in global id order, /network/Vprev [npts], the step
   counter; each rank reads and writes the id ranges of its columns (rows of columns in 2-D), so
   any number of ranks can continue any checkpoint. */
static herr_t Selection(Fhnk fk, hid_t fs)
{
  FhnkNetwork *net = &fk->net;
  herr_t       st  = H5Sselect_none(fs);
  /* consecutive local columns have consecutive ids along a row of K: one range per row */
  for (PetscInt p = 0; p < fk->nloc && st >= 0;) {
    PetscInt q = p + 1;
    while (q < fk->nloc && fk->nat[q] == fk->nat[q - 1] + 1) q++;
    {
      hsize_t start = (hsize_t)net->gid0[p], count = (hsize_t)(net->offset[q] - net->offset[p]);
      if (count) st = H5Sselect_hyperslab(fs, H5S_SELECT_OR, &start, NULL, &count, NULL);
    }
    p = q;
  }
  return st;
}

PetscErrorCode FhnkNetworkWrite(Fhnk fk, hid_t file, int *bad)
{
  FhnkNetwork *net = &fk->net;
  hsize_t      dims = (hsize_t)net->ntotal, chunk = PetscMin((hsize_t)net->ntotal, (hsize_t)131072), nl = (hsize_t)net->nlocal;
  hid_t        g, dcpl, xp, fs, ms;
  PetscFunctionBeginUser;
  *bad = 0;
  g    = H5Gcreate2(file, "network", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  dcpl = H5Pcreate(H5P_DATASET_CREATE);
  xp   = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(xp, H5FD_MPIO_COLLECTIVE);
  if (g < 0 || H5Pset_chunk(dcpl, 1, &chunk) < 0 || H5Pset_fletcher32(dcpl) < 0) *bad = 1;
  for (int k = 0; k < 2 && !*bad; k++) {
    hid_t ds;
    fs = H5Screate_simple(1, &dims, NULL);
    ms = H5Screate_simple(1, &nl, NULL);
    ds = H5Dcreate2(g, k ? "w" : "v", H5T_NATIVE_DOUBLE, fs, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (ds < 0 || Selection(fk, fs) < 0 || H5Dwrite(ds, H5T_NATIVE_DOUBLE, ms, fs, xp, k ? net->w : net->v) < 0) *bad = 1;
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(ms);
    H5Sclose(fs);
  }
  H5Pclose(xp);
  H5Pclose(dcpl);
  if (g >= 0) H5Gclose(g);
  PetscFunctionReturn(0);
}

/* reads into the solver only if everything reads (independent reads: a damaged chunk fails its
   own rank, the caller agrees on the outcome) */
PetscErrorCode FhnkNetworkRead(Fhnk fk, hid_t file, int *bad)
{
  FhnkNetwork *net = &fk->net;
  hsize_t      nl  = (hsize_t)net->nlocal;
  PetscReal   *buf[2];
  PetscFunctionBeginUser;
  *bad = 0;
  PetscCall(PetscMalloc2(PetscMax(net->nlocal, 1), &buf[0], PetscMax(net->nlocal, 1), &buf[1]));
  for (int k = 0; k < 2 && !*bad; k++) {
    hid_t   ds = H5Lexists(file, "network", H5P_DEFAULT) > 0 && H5Lexists(file, k ? "network/w" : "network/v", H5P_DEFAULT) > 0 ? H5Dopen2(file, k ? "network/w" : "network/v", H5P_DEFAULT) : -1, fs, ms;
    hsize_t dims = 0;
    if (ds < 0) {
      *bad = 1;
      break;
    }
    fs = H5Dget_space(ds);
    H5Sget_simple_extent_dims(fs, &dims, NULL);
    ms = H5Screate_simple(1, &nl, NULL);
    if (dims != (hsize_t)net->ntotal || Selection(fk, fs) < 0 || H5Dread(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf[k]) < 0) *bad = 1;
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(ds);
  }
  if (!*bad) {
    PetscCall(PetscArraycpy(net->v, buf[0], net->nlocal));
    PetscCall(PetscArraycpy(net->w, buf[1], net->nlocal));
  }
  PetscCall(PetscFree2(buf[0], buf[1]));
  PetscFunctionReturn(0);
}
