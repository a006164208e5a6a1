/* Phase-space operators (SPEC 4). Every kernel walks one point of K at a time, line by line,
   so that each phase-space line is read and written once per call.

   Explicit part (non-stiff):  F(f) = -d_v(B f) - d_w(A f)
       B = N(v) - w - v P + Q  (P = Psi*rho0, Q = Psi*(rho0 V)),  A = a v - b w + c
     finite volumes, flux-vector-split upwind with a limited (MUSCL, monotonized central)
     reconstruction, zero flux at walls.
   Implicit part (stiff):      G(f) = d_v[ d_v f + k (v - c) f ],  k = rho0/eps
     Scharfetter-Gummel (exponentially fitted) fluxes
       J_{i+1/2} = ( B(z) f_{i+1} - B(-z) f_i ) / dv,  z = -k (v_{i+1/2} - c) dv,  B(z) = z/(e^z - 1)
     which keep f >= 0 (M-matrix), conserve mass in flux form and whose discrete equilibrium is
     the Gaussian exp(-k (v - c)^2/2) sampled at the cell centres, exactly. The centre c = c(f) is
     chosen so that G conserves the first moment of f exactly (sum of the face fluxes = 0, as
     d_v[(v - V) f] does in the continuum with V the mean): c = V + O(dv^2) on resolved grids, and
     on grids coarser than sqrt(eps/rho0) it is what keeps V exact. G(f) = G_{c(f)} f is nonlinear
     only through this one scalar per point, found on the summed line in O(nv). */
#include "operators.h"
#include "model.h"
#include "grid.h"
#include "coupling.h"
#include "stimulus.h"

static inline PetscReal Bernoulli(PetscReal z)
{
  if (PetscAbsReal(z) < 1e-6) return 1 - z / 2 + z * z / 12;
  return z / expm1(z); /* -> 0 for z -> +inf, -> -z for z -> -inf, no overflow */
}

/* sum of the nw v-lines of one point */
void FhnkLineSum(Fhnk fk, const PetscReal *f, PetscReal *tot)
{
  const PetscInt nv = fk->ph.nv, nw = fk->ph.nw;
  for (PetscInt i = 0; i < nv; i++) tot[i] = 0;
  for (PetscInt j = 0; j < nw; j++)
    for (PetscInt i = 0; i < nv; i++) tot[i] += f[j * nv + i];
}

PetscErrorCode FhnkPointMoments(Fhnk fk, const PetscReal *f, PetscReal *mass, PetscReal *V)
{
  const PetscInt   nv = fk->ph.nv, nw = fk->ph.nw;
  const PetscReal *v  = fk->ph.v;
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(fk->log.moments, 0, 0, 0, 0));
  for (PetscInt p = 0; p < fk->nloc; p++) {
    const PetscReal *fp = f + p * nv * nw;
    PetscReal        m0 = 0, m1 = 0;
    for (PetscInt j = 0; j < nw; j++) {
      const PetscReal *l = fp + j * nv;
      for (PetscInt i = 0; i < nv; i++) {
        m0 += l[i];
        m1 += v[i] * l[i];
      }
    }
    mass[p] = m0 * fk->ph.dv * fk->ph.dw;
    V[p]    = m0 > 0 ? m1 / m0 : 0;
  }
  PetscCall(PetscLogEventEnd(fk->log.moments, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* sum over the interior faces of dv J_c(f) for one line f: zero iff G_c conserves the first
   moment of f. Decreasing in c. */
static PetscReal FaceFluxSum(const FhnkPhase *ph, PetscReal k, PetscReal c, const PetscReal *f)
{
  PetscReal s = 0;
  for (PetscInt i = 0; i < ph->nv - 1; i++) {
    const PetscReal z = -k * (ph->vface[i + 1] - c) * ph->dv;
    PetscReal       bp, bm;
    if (z >= 0) {
      bp = Bernoulli(z);
      bm = bp + z;
    } else {
      bm = Bernoulli(-z);
      bp = bm - z;
    }
    s += bp * f[i + 1] - bm * f[i];
  }
  return s;
}

/* Root of a monotone function g of c near c0. Secant steps from c0 and a second point (a Newton
   step with the estimated slope, or one width away) while they make good progress; otherwise the
   interval is widened until g changes sign, and the bracketed root is refined by the secant method
   safeguarded by bisection (whenever the secant leaves the bracket or the bracket stops halving).
   g is smooth where f is resolved (3-5 evaluations from the previous centre) and a steep staircase
   where f is narrower than a cell (all the change within ~eps/(rho0 dv) of a face): the bisection
   keeps that case robust. Stops when |g| <= gtol (the round-off level of g), when the secant has
   converged to round-off in c, or when the bracket has shrunk to round-off. */
typedef PetscReal (*CentreFn)(Fhnk, void *, PetscReal c);
static PetscReal SolveCentre(Fhnk fk, CentreFn g, void *ctx, PetscReal c0, PetscReal width, PetscReal slope, PetscReal gtol)
{
  PetscReal a, b, ga, gb, x0, g0, x1, g1, tol, len;
  PetscInt  stall = 0;
  x1 = c0;
  g1 = g(fk, ctx, x1);
  if (PetscAbsReal(g1) <= gtol) return x1;
  x0 = slope != 0 ? x1 - g1 / slope : x1 + width;
  if (x0 == x1) return x1;
  g0 = g(fk, ctx, x0);
  if (PetscAbsReal(g0) <= gtol) return x0;
  if (slope == 0 && (g0 < 0) == (g1 < 0) && PetscAbsReal(g0) > PetscAbsReal(g1)) { /* wrong way */
    x0 = x1 - width;
    g0 = g(fk, ctx, x0);
    if (PetscAbsReal(g0) <= gtol) return x0;
  }
  for (PetscInt it = 0; it < 80 && (g0 < 0) == (g1 < 0); it++) { /* until g changes sign */
    /* secant extrapolation while |g| at least halves (it then moves less than the last step),
       else twice the last step further on */
    const PetscReal x = PetscAbsReal(g0) < 0.5 * PetscAbsReal(g1) ? x0 - g0 * (x0 - x1) / (g0 - g1) : x0 + 2 * (x0 - x1);
    if (x == x0) return x0;
    x1 = x0;
    g1 = g0;
    x0 = x;
    g0 = g(fk, ctx, x0);
    if (PetscAbsReal(g0) <= gtol) return x0;
  }
  if ((g0 < 0) == (g1 < 0)) return c0; /* no sign change found: keep the start */
  if (x0 < x1) { a = x0; ga = g0; b = x1; gb = g1; }
  else { a = x1; ga = g1; b = x0; gb = g0; }
  tol = 2 * PETSC_MACHINE_EPSILON * (PetscAbsReal(c0) + fk->ph.dv);
  len = b - a;
  for (PetscInt it = 0; it < 300 && b - a > tol; it++) {
    PetscReal x = (g1 != g0) ? x1 - g1 * (x1 - x0) / (g1 - g0) : 0.5 * (a + b), gx;
    if (!(x > a && x < b) || stall >= 2) {
      x     = 0.5 * (a + b);
      stall = 0;
    }
    gx = g(fk, ctx, x);
    if (PetscAbsReal(gx) <= gtol) return x;
    if ((gx < 0) == (ga < 0)) { a = x; ga = gx; }
    else { b = x; gb = gx; }
    if (PetscAbsReal(x - x1) <= tol) return x; /* the secant has converged to round-off */
    x0 = x1; g0 = g1; x1 = x; g1 = gx;
    if (b - a > 0.5 * len) stall++;
    else {
      stall = 0;
      len   = b - a;
    }
  }
  return PetscAbsReal(ga) < PetscAbsReal(gb) ? a : b;
}

typedef struct { PetscReal k; const PetscReal *f; } FluxCtx;
static PetscReal FluxResidual(Fhnk fk, void *ctx, PetscReal c)
{
  FluxCtx *x = (FluxCtx *)ctx;
  return FaceFluxSum(&fk->ph, x->k, c, x->f);
}

/* c(f): the centre that makes G_c conserve the first moment of f (ftot = f summed over the
   w-lines, which share the coefficients). For a sampled Gaussian it is its centre; for resolved
   f it differs from the mean V by O(dv^2); for f narrower than a cell it is what keeps V exact. */
PetscErrorCode FhnkCentreOf(Fhnk fk, PetscReal k, const PetscReal *ftot, PetscReal *c)
{
  FluxCtx         x = {k, ftot};
  PetscReal       m0 = 0, m1 = 0;
  const PetscReal w  = PetscMin(fk->ph.dv, 1 / PetscSqrtReal(k));
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < fk->ph.nv; i++) {
    m0 += ftot[i];
    m1 += fk->ph.v[i] * ftot[i];
  }
  *c = m0 > 0 ? SolveCentre(fk, FluxResidual, &x, m1 / m0, w, 0, 0) : 0;
  PetscFunctionReturn(0);
}

typedef struct { PetscReal k, tau, V, c_last; const PetscReal *z; PetscReal *y; } SolveCtx;
static PetscReal SolvedMeanResidual(Fhnk fk, void *ctx, PetscReal c)
{
  SolveCtx *x = (SolveCtx *)ctx;
  const PetscInt nv = fk->ph.nv;
  PetscReal m0 = 0, m1 = 0;
  FhnkLineSetUp(fk, x->k, c, x->tau);
  x->c_last = c;
  x->y[0] = x->z[0] * fk->line.id[0];
  for (PetscInt i = 1; i < nv; i++) x->y[i] = x->z[i] * fk->line.id[i] - fk->line.ml[i] * x->y[i - 1];
  for (PetscInt i = nv - 2; i >= 0; i--) x->y[i] -= fk->line.cp[i] * x->y[i + 1];
  for (PetscInt i = 0; i < nv; i++) {
    m0 += x->y[i];
    m1 += fk->ph.v[i] * x->y[i];
  }
  return m1 / m0 - x->V;
}

/* The centre of an implicit stage: Y = (I - tau G_c)^{-1} Z with c such that Y keeps the first
   moment of Z, i.e. c = c(Y) and the stage solves Y - tau G(Y) = Z exactly with the
   moment-conserving G. Solved on the summed line (the system is the same for every w-line), so
   each trial costs O(nv), not O(nv nw). Leaves the line factors of the final c in fk->line. */
PetscErrorCode FhnkStageCentre(Fhnk fk, PetscReal k, PetscReal tau, const PetscReal *ztot, PetscReal *c)
{
  SolveCtx  x;
  PetscReal m0 = 0, m1 = 0, c0;
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < fk->ph.nv; i++) {
    m0 += ztot[i];
    m1 += fk->ph.v[i] * ztot[i];
  }
  if (!(m0 > 0)) {
    *c = 0;
    PetscCall(FhnkLineSetUp(fk, k, 0, tau));
    PetscFunctionReturn(0);
  }
  x.k = k; x.tau = tau; x.V = m1 / m0; x.z = ztot; x.y = fk->opwork; x.c_last = PETSC_MAX_REAL;
  /* c = V + O(dv^2) where f is resolved, within dv/2 of V where it is not; the centre of the
     previous stage at this point (passed in *c) is usually closer still */
  c0 = PetscAbsReal(*c - x.V) < fk->ph.dv ? *c : x.V;
  /* d mean(Y)/dc ~ tau k/(1 + tau k): the relaxation pulls the stage mean towards c */
  /* the residual mean(Y) - V is computed to about 8 ulp of |V| + width: below that it is noise */
  {
    const PetscReal w = PetscMin(fk->ph.dv, 1 / PetscSqrtReal(k));
    *c = SolveCentre(fk, SolvedMeanResidual, &x, c0, w, tau * k / (1 + tau * k), 8 * PETSC_MACHINE_EPSILON * (PetscAbsReal(x.V) + w));
  }
  if (*c != x.c_last) PetscCall(FhnkLineSetUp(fk, k, *c, tau)); /* else the factors are those of the last trial */
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkLineSetUp(Fhnk fk, PetscReal k, PetscReal c, PetscReal tau)
{
  const FhnkPhase *ph = &fk->ph;
  const PetscInt   nv = ph->nv;
  FhnkLine        *L  = &fk->line;
  const PetscReal  r  = tau / (ph->dv * ph->dv);

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < nv - 1; i++) { /* face i+1/2 between cells i and i+1 */
    /* B(-z) = B(z) + z: one exponential per face, taken on the side where it does not cancel */
    const PetscReal z = -k * (ph->vface[i + 1] - c) * ph->dv;
    if (z >= 0) {
      L->bp[i] = Bernoulli(z);
      L->bm[i] = L->bp[i] + z;
    } else {
      L->bm[i] = Bernoulli(-z);
      L->bp[i] = L->bm[i] - z;
    }
  }
  if (tau > 0) {
    /* (I - tau G) f: lower_i = -r bm_{i-1}, diag_i = 1 + r (bm_i + bp_{i-1}), upper_i = -r bp_i.
       Column sums are 1: an M-matrix, so Thomas needs no pivoting and keeps f >= 0. Stored as
       id = 1/den, ml = lower/den, cp = upper/den (den: the eliminated diagonal), so that each
       step of the forward recurrence is one multiply-add. */
    PetscReal den;
    for (PetscInt i = 0; i < nv; i++) {
      const PetscReal lo = i > 0 ? -r * L->bm[i - 1] : 0, up = i < nv - 1 ? -r * L->bp[i] : 0;
      const PetscReal di = 1 + r * ((i < nv - 1 ? L->bm[i] : 0) + (i > 0 ? L->bp[i - 1] : 0));
      den      = di - (i > 0 ? lo * L->cp[i - 1] : 0);
      L->id[i] = 1 / den;
      L->ml[i] = lo * L->id[i];
      L->cp[i] = up / den;
    }
  }
  PetscFunctionReturn(0);
}

void FhnkApplyImplicitPoint(Fhnk fk, const PetscReal *f, PetscReal *out, PetscBool add, PetscReal *tot)
{
  const PetscInt   nv = fk->ph.nv, nw = fk->ph.nw;
  const PetscReal  r  = 1 / (fk->ph.dv * fk->ph.dv);
  const PetscReal *bp = fk->line.bp, *bm = fk->line.bm;
  if (tot)
    for (PetscInt i = 0; i < nv; i++) tot[i] = 0;
  for (PetscInt j = 0; j < nw; j++) {
    const PetscReal *l = f + j * nv;
    PetscReal       *o = out + j * nv, Jm = 0;
    for (PetscInt i = 0; i < nv; i++) {
      const PetscReal Jp = i < nv - 1 ? r * (bp[i] * l[i + 1] - bm[i] * l[i]) : 0;
      o[i]               = (add ? o[i] : 0) + (Jp - Jm);
      Jm                 = Jp;
    }
    if (tot)
      for (PetscInt i = 0; i < nv; i++) tot[i] += o[i];
  }
}

/* Rescale a solved line to the mass of its data only where that is the round-off repair it is
   meant to be: both masses positive and within 1e-4 of each other (the stiff loss is ~1e-16 dt/eps).
   A line far out in the tails can sum to almost nothing through cancellation of tiny values of
   both signs; scaling it by the ratio of two such sums would amplify noise (or flip its sign). */
static inline PetscBool LineRescaleOK(PetscReal sz, PetscReal sx)
{
  return (PetscBool)(sz > 0 && sx > 0 && sx != sz && PetscAbsReal(sz - sx) < 1e-4 * sx);
}

/* Thomas on one line with the factors of FhnkLineSetUp: forward x_i = z_i id_i - ml_i x_{i-1},
   back x_i -= cp_i x_{i+1}. Each recurrence is one fused multiply-add deep (its latency bounds a
   line), every term is a sum of non-negative numbers (M-matrix: ml, cp <= 0), so x >= 0 when
   z >= 0. Then the line is rescaled to the mass of z: the exact solve conserves the mass of every
   v-line (column sums 1), while in floating point a stiff solve (diagonal ~ 1 + dt/eps) loses
   ~ 1e-16 (dt/eps) of it; the uniform rescale restores it without touching shape or sign. */
static inline void ThomasLine(PetscInt nv, const PetscReal *restrict ml, const PetscReal *restrict cp, const PetscReal *restrict id, const PetscReal *restrict z, PetscReal *restrict x)
{
  PetscReal xi = z[0] * id[0], sz = z[0], sx;
  x[0]         = xi;
  for (PetscInt i = 1; i < nv; i++) {
    x[i] = xi = z[i] * id[i] - ml[i] * xi;
    sz += z[i];
  }
  sx = xi;
  for (PetscInt i = nv - 2; i >= 0; i--) {
    x[i] = xi = x[i] - cp[i] * xi;
    sx += xi;
  }
  if (LineRescaleOK(sz, sx)) {
    const PetscReal s = sz / sx;
    for (PetscInt i = 0; i < nv; i++) x[i] *= s;
  }
}

/* NL lines (stride s) interleaved: NL independent recurrences hide the latency of each (a
   multiply-add is 4 cycles deep; with 8 lines the sweeps issue about two lines' elements per cycle) */
#define THOMAS_LINES(NAME, NL) \
  static inline void NAME(PetscInt nv, PetscInt s, const PetscReal *restrict ml, const PetscReal *restrict cp, const PetscReal *restrict id, const PetscReal *restrict z, PetscReal *restrict x) \
  { \
    PetscReal a[NL], sz[NL], sx[NL]; \
    for (PetscInt l = 0; l < NL; l++) { \
      a[l]     = z[l * s] * id[0]; \
      sz[l]    = z[l * s]; \
      x[l * s] = a[l]; \
    } \
    for (PetscInt i = 1; i < nv; i++) { \
      const PetscReal m = ml[i], d = id[i]; \
      for (PetscInt l = 0; l < NL; l++) { \
        x[l * s + i] = a[l] = z[l * s + i] * d - m * a[l]; \
        sz[l] += z[l * s + i]; \
      } \
    } \
    for (PetscInt l = 0; l < NL; l++) sx[l] = a[l]; \
    for (PetscInt i = nv - 2; i >= 0; i--) { \
      const PetscReal c = cp[i]; \
      for (PetscInt l = 0; l < NL; l++) { \
        x[l * s + i] = a[l] = x[l * s + i] - c * a[l]; \
        sx[l] += a[l]; \
      } \
    } \
    for (PetscInt l = 0; l < NL; l++) \
      if (LineRescaleOK(sz[l], sx[l])) { \
        const PetscReal sc = sz[l] / sx[l]; \
        PetscReal *restrict xl = x + l * s; \
        for (PetscInt i = 0; i < nv; i++) xl[i] *= sc; \
      } \
  }
THOMAS_LINES(ThomasLine4, 4)
THOMAS_LINES(ThomasLine8, 8)

/* X = (I - tau G)^{-1} Z for nl consecutive v-lines, each keeping the mass of its line of Z */
void FhnkSolveLines(Fhnk fk, PetscInt nl, const PetscReal *Z, PetscReal *X)
{
  const PetscInt   nv = fk->ph.nv;
  const PetscReal *ml = fk->line.ml, *cp = fk->line.cp, *id = fk->line.id;
  PetscInt         j = 0;
  for (; j + 8 <= nl; j += 8) ThomasLine8(nv, nv, ml, cp, id, Z + j * nv, X + j * nv);
  for (; j + 4 <= nl; j += 4) ThomasLine4(nv, nv, ml, cp, id, Z + j * nv, X + j * nv);
  for (; j < nl; j++) ThomasLine(nv, ml, cp, id, Z + j * nv, X + j * nv);
}

void FhnkSolvePoint(Fhnk fk, const PetscReal *Z, PetscReal *X)
{
  FhnkSolveLines(fk, fk->ph.nw, Z, X);
}

/* Software prefetch of a line a few lines ahead of a sweep: the kernels are compute-heavy, and
   the hardware prefetcher alone does not run far enough ahead to overlap the next line's memory
   traffic with this line's arithmetic. */
static inline void PrefetchLine(const PetscReal *p, PetscInt n, int write)
{
#if defined(__GNUC__)
  if (write)
    for (PetscInt i = 0; i < n; i += 8) __builtin_prefetch(p + i, 1, 3);
  else
    for (PetscInt i = 0; i < n; i += 8) __builtin_prefetch(p + i, 0, 3);
#else
  (void)p; (void)n; (void)write;
#endif
}

/* Monotonized-central limited slope minmod(2a, (a+b)/2, 2b): second order, TVD, and free of
   divisions and branches, so the sweeps below vectorize (checked with -fopt-info-vec, for
   -march=native with AVX-512 and for -march=x86-64-v3). */
static inline PetscReal MCSlope(PetscReal a, PetscReal b)
{
  /* where it is not zero a and b have one sign, so |a + b| = |a| + |b| (also after rounding) */
  const PetscReal ua = PetscAbsReal(a), ub = PetscAbsReal(b);
  const PetscReal m  = PetscMin(2 * PetscMin(ua, ub), 0.5 * (ua + ub));
  /* a 0/1 factor rather than a branch: the loops then vectorise with AVX2 too (no masks) */
  return (PetscReal)(a * b > 0) * copysign(m, a);
}

/* Flux-vector-split MUSCL: the cell fluxes g+ = max(B,0) f and g- = max(-B,0) f (B at the cell
   centre) are reconstructed to the faces with limited slopes, upwind for each part.
   With centre velocities the first moment of the transport is exactly sum_i B(v_i) f_i, up to
   the limited slopes, which vanish at the extrema of an under-resolved profile: V then follows
   <B> = N(V) - W - V P + Q + E(f) even when f fits in one or two cells (the stiff limit on a
   coarse grid), and the scheme is second order where f is resolved.
   The limited slopes add (1/2) sum_i s_i to that moment, which is O(dv^2) on resolved profiles
   but O(dv) on a profile one or two cells wide, where the limiter clips: there (sqrt(eps/rho0)
   below -v_muscl_min_cells cells) the v-transport is the donor-cell scheme, whose moment is exact;
   the shape of such f is set by the stiff relaxation, not by the transport. Where MUSCL is used
   (v on resolved grids, and always in w, where f has no diffusion and contracts below a cell),
   FhnkApplyExplicitPoint removes that slope term from the moments (see there).
   Face k+1/2 (k = 0..n-2): flux = gp_k + s(gp)_k/2 - (gm_{k+1} - s(gm)_{k+1}/2); slopes are zero
   in the first and last cells. */
static inline void SplitFluxLine(PetscInt n, const PetscReal *restrict gp, const PetscReal *restrict gm, PetscReal *restrict flux, PetscBool second)
{
  if (!second || n < 3) {
    for (PetscInt k = 0; k < n - 1; k++) flux[k] = gp[k] - gm[k + 1];
    return;
  }
  flux[0] = gp[0] - (gm[1] - 0.5 * MCSlope(gm[1] - gm[0], gm[2] - gm[1]));
  for (PetscInt k = 1; k < n - 2; k++) flux[k] = (gp[k] + 0.5 * MCSlope(gp[k] - gp[k - 1], gp[k + 1] - gp[k])) - (gm[k + 1] - 0.5 * MCSlope(gm[k + 1] - gm[k], gm[k + 2] - gm[k + 1]));
  flux[n - 2] = (gp[n - 2] + 0.5 * MCSlope(gp[n - 2] - gp[n - 3], gp[n - 1] - gp[n - 2])) - gm[n - 1];
}

/* F_ex at one point: v- and w-transport by SplitFluxLine's fluxes, then a moment-exact correction.
   The donor-cell fluxes give the first moments of F_ex exactly as the midpoint sums
   sum_ij B_ij f_ij and sum_ij A_ij f_ij, so that dV/dt = <B>_h and, A being linear,
   dW/dt = a V - b W + c exactly on any grid. The limited slopes add D = sum over faces of
   (MUSCL - donor) to each; where the limiter clips (f one or two cells wide, which in w is every
   run after a few 1/b: w has no diffusion) that is O(dv) or O(dw), not O(h^2), and it made a
   resting sheet settle O(dw) off its rest state and, with MUSCL in v at 1.5-3 cells per
   sqrt(eps/rho0), oscillate instead of settling (verification/71). The correction adds, in each
   direction, one uniform velocity u = -D / (sum of the upwind f over the point's faces) with
   donor-cell fluxes u f: mass is kept, the first moments become exact, and as |u| is the size of
   the slope term (O(h^2) where f is resolved) the order of the scheme is kept. It costs one more
   pass over the point (in cache), merged with the line sums the fused stages need. */
void FhnkApplyExplicitPoint(Fhnk fk, PetscReal P, PetscReal Q, PetscReal rho0, const PetscReal *f, PetscReal *out, PetscBool add, PetscReal scale, PetscReal *work, PetscReal *tot)
{
  /* slope terms of the v- and w-moments; sums of f upwind of all v-faces and all w-faces, for
     a positive (index 0) or negative (1) correction velocity */
  PetscReal Dv = 0, Dw = 0, Sv[2] = {0, 0}, Sw[2] = {0, 0};
  const PetscBool  second = (PetscBool)(PetscSqrtReal(fk->model.eps / rho0) >= fk->v_muscl_min_cells * fk->ph.dv);
  const FhnkPhase *ph = &fk->ph;
  const FhnkModel *m  = &fk->model;
  const PetscInt   nv = ph->nv, nw = ph->nw;
  const PetscReal  idv = scale / ph->dv, idw = scale / ph->dw, b = m->b;
  PetscReal       *Bc = work, *Av = work + nv, *gp = work + 2 * nv, *gm = work + 3 * nv, *Fv = work + 4 * nv;
  PetscReal       *Fprev = work + 5 * nv, *Fcur = work + 6 * nv, *GP[4], *GM[4], *t;

  for (PetscInt r = 0; r < 4; r++) {
    GP[r] = work + (7 + r) * nv;
    GM[r] = work + (11 + r) * nv;
    for (PetscInt i = 0; i < nv; i++) GP[r][i] = GM[r][i] = 0;
  }
  if (tot)
    for (PetscInt i = 0; i < nv; i++) tot[i] = 0;
  for (PetscInt i = 0; i < nv; i++) {
    Bc[i]    = FhnkN(m, ph->v[i]) - P * ph->v[i] + Q; /* B = Bc - w */
    Av[i]    = m->a * ph->v[i] + m->c;                 /* A = Av - b w */
    Fprev[i] = 0;                                      /* wall at w = wmin */
  }
  /* w-direction cell fluxes of row r, kept in a ring of 4 rows (each computed once) */
#define WROW(r) \
  do { \
    const PetscReal *l_ = f + (r) * nv, wr_ = ph->w[r]; \
    PetscReal       *p_ = GP[(r) & 3], *q_ = GM[(r) & 3]; \
    for (PetscInt i = 0; i < nv; i++) { \
      const PetscReal A_ = Av[i] - b * wr_; \
      p_[i]              = PetscMax(A_, 0) * l_[i]; \
      q_[i]              = PetscMax(-A_, 0) * l_[i]; \
    } \
  } while (0)
  WROW(0);
  if (nw > 1) WROW(1);
  for (PetscInt j = 0; j < nw; j++) {
    const PetscReal *l = f + j * nv, wj = ph->w[j];
    PetscReal       *o = out + j * nv;
    if (j + 4 < nw) PrefetchLine(f + (j + 4) * nv, nv, 0);
    if (j + 2 < nw) PrefetchLine(out + (j + 2) * nv, nv, 1);
    if (j + 2 < nw) WROW(j + 2);
    /* w-fluxes through face j+1/2 */
    if (j < nw - 1) {
      const PetscReal *p0 = GP[j & 3], *p1 = GP[(j + 1) & 3], *pm = GP[(j + 3) & 3];
      const PetscReal *q0 = GM[j & 3], *q1 = GM[(j + 1) & 3], *q2 = GM[(j + 2) & 3];
      /* no slope in the first and last rows: 0/1 factors, not branches (vectorises with AVX2);
         the rows outside the box read here are zeros (set below), never garbage */
      const PetscReal hasm = j > 0 ? 0.5 : 0, has2 = j + 2 < nw ? 0.5 : 0;
      PetscReal dw = 0;
      /* the slope term as a simd reduction: a plain sum would keep the loop scalar */
#pragma omp simd reduction(+ : dw)
      for (PetscInt i = 0; i < nv; i++) {
        const PetscReal sp = hasm * MCSlope(p0[i] - pm[i], p1[i] - p0[i]);
        const PetscReal sm = has2 * MCSlope(q1[i] - q0[i], q2[i] - q1[i]);
        Fcur[i]            = (p0[i] + sp) - (q1[i] - sm);
        dw += sp + sm;
      }
      Dw += dw;
    } else
      for (PetscInt i = 0; i < nv; i++) Fcur[i] = 0; /* wall at w = wmax */
    /* v-fluxes along the line; the line's mass and end cells for the correction's weights */
    {
      PetscReal sl = 0;
#pragma omp simd reduction(+ : sl)
      for (PetscInt i = 0; i < nv; i++) {
        const PetscReal B = Bc[i] - wj;
        gp[i]             = PetscMax(B, 0) * l[i];
        gm[i]             = PetscMax(-B, 0) * l[i];
        sl += l[i];
      }
      Sv[0] += sl - l[nv - 1];
      Sv[1] += sl - l[0];
      if (j < nw - 1) Sw[0] += sl;
      if (j > 0) Sw[1] += sl;
    }
    SplitFluxLine(nv, gp, gm, Fv, second);
    if (second) {
      PetscReal dv = 0;
#pragma omp simd reduction(+ : dv)
      for (PetscInt k = 0; k < nv - 1; k++) dv += Fv[k] - (gp[k] - gm[k + 1]);
      Dv += dv;
    }
    o[0] = (add ? o[0] : 0) - Fv[0] * idv - (Fcur[0] - Fprev[0]) * idw;
    for (PetscInt i = 1; i < nv - 1; i++) o[i] = (add ? o[i] : 0) - (Fv[i] - Fv[i - 1]) * idv - (Fcur[i] - Fprev[i]) * idw;
    o[nv - 1] = (add ? o[nv - 1] : 0) + Fv[nv - 2] * idv - (Fcur[nv - 1] - Fprev[nv - 1]) * idw;
    t     = Fprev;
    Fprev = Fcur;
    Fcur  = t;
  }
#undef WROW
  {
    /* the moment-exact correction: u = -D / (sum of the upwind f over all faces of the point);
       per point, not per line or face, because only there is that sum bounded below by the bulk
       of f (|u| <= ~2 max|B| or 2 max|A|): a tail line or row can be tiny upwind of a face whose
       slope term comes from its large neighbour */
    const PetscReal su_v = Dv < 0 ? Sv[0] : Sv[1], su_w = Dw < 0 ? Sw[0] : Sw[1];
    const PetscReal cv = (Dv != 0 && su_v > 0) ? -Dv / su_v * idv : 0, cw = (Dw != 0 && su_w > 0) ? -Dw / su_w * idw : 0;
    /* upwind by the sign of the velocity u (that of -D), not of cv, cw: those carry the caller's
       scale too, which the fused stepper may pass negative (a tableau's b weight) */
    const PetscInt  sv = Dv < 0 ? 0 : 1, sw = Dw < 0 ? 1 : 0; /* upwind cell of v-face k: k + sv; of w-face j-1/2: row j - sw */
    for (PetscInt j = 0; j < nw; j++) {
      const PetscReal *l = f + j * nv;
      PetscReal       *o = out + j * nv;
      if (cv != 0 || cw != 0) {
        /* v: face fluxes u l[k + sv] (k = 0..nv-2), none at the walls; w: faces j -+ 1/2 carry
           u times the upwind row, none at the walls */
        const PetscReal *u  = l + sv;
        const PetscReal *ab = j < nw - 1 ? f + (j + 1 - sw) * nv : NULL; /* upwind row of face j+1/2 */
        const PetscReal *be = j > 0 ? f + (j - sw) * nv : NULL;          /* of face j-1/2 */
        const PetscReal  ca = ab ? cw : 0, cb = be ? cw : 0;
        if (!ab) ab = l; /* read with factor 0 */
        if (!be) be = l;
        o[0] -= cv * u[0] + ca * ab[0] - cb * be[0];
        for (PetscInt i = 1; i < nv - 1; i++) o[i] -= cv * (u[i] - u[i - 1]) + ca * ab[i] - cb * be[i];
        o[nv - 1] -= -cv * u[nv - 2] + ca * ab[nv - 1] - cb * be[nv - 1];
      }
      if (tot) /* line sum of the output, in the order of FhnkLineSum (same bits) */
        for (PetscInt i = 0; i < nv; i++) tot[i] += o[i];
    }
  }
}

/* F = F_ex(U) given the mean voltage V of every local point of U (one Psi convolution) */
PetscErrorCode FhnkExplicitGivenV(Fhnk fk, PetscReal t, Vec U, const PetscReal *V, Vec F, PetscBool add_implicit)
{
  PetscFunctionBeginUser;
  PetscCall(FhnkExplicitGivenVAdd(fk, t, U, V, F, add_implicit, PETSC_FALSE, 1.0, NULL));
  PetscFunctionReturn(0);
}

/* F = F_ex(U) (+ G(U)), or F += scale F_ex(U) when add: the last stage of the fused stepper adds
   its explicit term straight into the solution. tot (nloc x nv, or NULL): the w-line sums of the
   result at every point (the fused stepper's stage centres need them) */
PetscErrorCode FhnkExplicitGivenVAdd(Fhnk fk, PetscReal t, Vec U, const PetscReal *V, Vec F, PetscBool add_implicit, PetscBool add, PetscReal scale, PetscReal *tot)
{
  const PetscScalar *u, *P, *r;
  PetscScalar       *o;
  PetscReal         *Qp = fk->Qloc;
  const PetscInt     nc = fk->ph.ncell;

  PetscFunctionBeginUser;
  PetscCall(FhnkConvolve(fk, V, Qp));
  FhnkStimAdd(fk, t, Qp); /* B = N(v) - w - v P + (Q + I_ext(t)) */
  PetscCall(PetscLogEventBegin(fk->log.explicit_op, 0, 0, 0, 0));
  PetscCall(VecGetArrayRead(U, &u));
  PetscCall(VecGetArray(F, &o));
  PetscCall(VecGetArrayRead(fk->cpl.P, &P));
  PetscCall(VecGetArrayRead(fk->rho0, &r));
  for (PetscInt p = 0; p < fk->nloc; p++) {
    FhnkApplyExplicitPoint(fk, P[p], Qp[p], r[p], u + p * nc, o + p * nc, add, scale, fk->opwork, add_implicit || !tot ? NULL : tot + p * fk->ph.nv);
    if (add_implicit) {
      const PetscReal k = r[p] / fk->model.eps;
      FhnkLineSum(fk, u + p * nc, fk->zbuf);
      PetscCall(FhnkCentreOf(fk, k, fk->zbuf, &fk->Vc[p]));
      PetscCall(FhnkLineSetUp(fk, k, fk->Vc[p], 0));
      FhnkApplyImplicitPoint(fk, u + p * nc, o + p * nc, PETSC_TRUE, tot ? tot + p * fk->ph.nv : NULL);
    }
  }
  PetscCall(VecRestoreArrayRead(fk->rho0, &r));
  PetscCall(VecRestoreArrayRead(fk->cpl.P, &P));
  PetscCall(VecRestoreArray(F, &o));
  PetscCall(VecRestoreArrayRead(U, &u));
  PetscCall(PetscLogEventEnd(fk->log.explicit_op, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkExplicit(Fhnk fk, PetscReal t, Vec U, Vec F, PetscBool add_implicit)
{
  const PetscScalar *u;
  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(U, &u));
  PetscCall(FhnkPointMoments(fk, u, fk->mloc, fk->Vst));
  PetscCall(VecRestoreArrayRead(U, &u));
  PetscCall(FhnkExplicitGivenV(fk, t, U, fk->Vst, F, add_implicit));
  PetscFunctionReturn(0);
}

/* G = G(U). utot (nloc x nv, or NULL): the w-line sums of U if the caller has them;
   gtot (or NULL): the w-line sums of G are left there */
PetscErrorCode FhnkImplicit(Fhnk fk, Vec U, Vec G, const PetscReal *utot, PetscReal *gtot)
{
  const PetscScalar *u, *r;
  PetscScalar       *g;
  const PetscInt     nc = fk->ph.ncell;

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(U, &u));
  PetscCall(PetscLogEventBegin(fk->log.implicit_op, 0, 0, 0, 0));
  PetscCall(VecGetArray(G, &g));
  PetscCall(VecGetArrayRead(fk->rho0, &r));
  for (PetscInt p = 0; p < fk->nloc; p++) {
    const PetscReal k = r[p] / fk->model.eps;
    const PetscReal *ut = utot ? utot + p * fk->ph.nv : fk->zbuf;
    if (!utot) FhnkLineSum(fk, u + p * nc, fk->zbuf);
    PetscCall(FhnkCentreOf(fk, k, ut, &fk->Vc[p]));
    PetscCall(FhnkLineSetUp(fk, k, fk->Vc[p], 0));
    FhnkApplyImplicitPoint(fk, u + p * nc, g + p * nc, PETSC_FALSE, gtot ? gtot + p * fk->ph.nv : NULL);
  }
  PetscCall(VecRestoreArrayRead(fk->rho0, &r));
  PetscCall(VecRestoreArray(G, &g));
  PetscCall(VecRestoreArrayRead(U, &u));
  PetscCall(PetscLogEventEnd(fk->log.implicit_op, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* X solves X - tau G(X) = Z exactly: G = G_c with the centre c for which X keeps the mean
   voltage of Z (FhnkStageCentre, one scalar per point on the summed line), then the nw line
   solves with that c (the stock ARKIMEX path; the fused stepper does the same per point). */
PetscErrorCode FhnkImplicitSolve(Fhnk fk, Vec Z, PetscReal tau, Vec X)
{
  const PetscScalar *z, *r;
  PetscScalar       *x;
  const PetscInt     nc = fk->ph.ncell;

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(Z, &z));
  PetscCall(PetscLogEventBegin(fk->log.line_solve, 0, 0, 0, 0));
  PetscCall(VecGetArray(X, &x));
  PetscCall(VecGetArrayRead(fk->rho0, &r));
  for (PetscInt p = 0; p < fk->nloc; p++) {
    const PetscReal k = r[p] / fk->model.eps;
    FhnkLineSum(fk, z + p * nc, fk->zbuf);
    PetscCall(FhnkStageCentre(fk, k, tau, fk->zbuf, &fk->Vc[p]));
    FhnkSolvePoint(fk, z + p * nc, x + p * nc);
  }
  PetscCall(VecRestoreArrayRead(fk->rho0, &r));
  PetscCall(VecRestoreArray(X, &x));
  PetscCall(VecRestoreArrayRead(Z, &z));
  PetscCall(PetscLogEventEnd(fk->log.line_solve, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Largest Courant numbers of the explicit transport, max |B| dt/dv and max |A| dt/dw, over the
   cells where f is not negligible (f > 1e-6 max f at its point): in the empty corners of the box
   the stiff relaxation, implicit, damps whatever the transport does. */
PetscErrorCode FhnkCFL(Fhnk fk, Vec U, PetscReal dt, PetscReal *cflv, PetscReal *cflw)
{
  const FhnkPhase   *ph = &fk->ph;
  const PetscInt     nv = ph->nv, nc = ph->ncell;
  const PetscScalar *P, *u;
  PetscReal          mx[2] = {0, 0};
  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(U, &u));
  PetscCall(FhnkPointMoments(fk, u, fk->mloc, fk->Vst));
  PetscCall(FhnkConvolve(fk, fk->Vst, fk->Qloc));
  FhnkStimBound(fk, fk->mloc); /* |I_ext| at its largest: the drift is B0 + I with |I| <= bound */
  PetscCall(VecGetArrayRead(fk->cpl.P, &P));
  for (PetscInt p = 0; p < fk->nloc; p++) {
    const PetscScalar *f = u + p * nc;
    PetscReal          fmax = 0;
    for (PetscInt c = 0; c < nc; c++) fmax = PetscMax(fmax, f[c]);
    for (PetscInt c = 0; c < nc; c++) {
      const PetscInt  i = c % nv, j = c / nv;
      if (f[c] <= 1e-6 * fmax) continue;
      mx[0] = PetscMax(mx[0], PetscAbsReal(FhnkN(&fk->model, ph->v[i]) - ph->w[j] - P[p] * ph->v[i] + fk->Qloc[p]) + (fk->stim.n ? fk->mloc[p] : 0));
      mx[1] = PetscMax(mx[1], PetscAbsReal(FhnkA(&fk->model, ph->v[i], ph->w[j])));
    }
  }
  PetscCall(VecRestoreArrayRead(fk->cpl.P, &P));
  PetscCall(VecRestoreArrayRead(U, &u));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, mx, 2, MPIU_REAL, MPIU_MAX, fk->comm));
  *cflv = mx[0] * dt / ph->dv;
  *cflw = mx[1] * dt / ph->dw;
  PetscFunctionReturn(0);
}
