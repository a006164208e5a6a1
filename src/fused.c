/* TSFHNKIMEX: a fused IMEX additive Runge-Kutta stepper for this problem (issue 5).
   Same tableaux as PETSc's TSARKIMEX (l2, 2e, 3) plus IMEX Euler, but every stage is one pass:
     per point of K:  Z = u + h sum_j (A_ij F_j + At_ij G_j)          (stage data, kept in cache)
                      Y = (I - h At_ii G)^{-1} Z                      (exact v-line solves)
                      G_i = (Y - Z)/(h At_ii), mean voltage of Y       (same pass)
     then             F_i = F_ex(Y) with one Psi convolution            (one pass)
   and the step completion u += h sum (b_j F_j + bt_j G_j) rides on the last stage (or u = Y_s,
   solved in place, when the scheme is stiffly accurate in both parts). When the first stage is
   implicit (l2), G_0 = (Y_0 - u)/tau_0 is not stored: Y_0 is, and the later stages form G_0
   from it. The stage equations are exactly those the stock TSARKIMEX path solves (V of an
   implicit stage is the first moment of its data Z), so both agree to round-off with the same
   tableau. Registered with TSRegister: -ts_type fhnkimex, -ts_fhnkimex_type euler|l2|2e|3. */
#include "fused.h"
#include "operators.h"
#include <petsc/private/tsimpl.h>

#define FHNK_MAX_STAGES 4

typedef struct {
  const char *name;
  PetscInt    s, order;
  PetscReal   A[FHNK_MAX_STAGES][FHNK_MAX_STAGES], At[FHNK_MAX_STAGES][FHNK_MAX_STAGES];
  PetscReal   b[FHNK_MAX_STAGES], bt[FHNK_MAX_STAGES];
  const char *note;
  PetscBool   embedded;             /* has an embedded pair of order - 1 (adaptive steps) */
  PetscReal   be[FHNK_MAX_STAGES]; /* its weights, both parts (PETSc's bembed = bembedt) */
} Tableau;

#define S2 1.414213562373095048802
#define G2 0.2928932188134524755992 /* 1 - 1/sqrt(2) */
static const Tableau tableaux[] = {
  {"euler", 2, 1, {{0, 0}, {1, 0}}, {{0, 0}, {0, 1}}, {1, 0}, {0, 1}, "IMEX Euler: first order, keeps f >= 0 for any eps under the transport CFL (for under-resolved runs)", PETSC_FALSE, {0}},
  {"l2", 2, 2, {{0, 0}, {1, 0}}, {{G2, 0}, {1 - 2 * G2, G2}}, {0.5, 0.5}, {0.5, 0.5}, "Pareschi-Russo SSP2(2,2,2): second order, L-stable implicit part, 2 implicit stages", PETSC_TRUE, {0, 1}},
  {"2e", 3, 2, {{0, 0, 0}, {2 - S2, 0, 0}, {(3 - 2 * S2) / 6, (3 + 2 * S2) / 6, 0}}, {{0, 0, 0}, {1 - 1 / S2, 1 - 1 / S2, 0}, {1 / (2 * S2), 1 / (2 * S2), 1 - 1 / S2}}, {1 / (2 * S2), 1 / (2 * S2), 1 - 1 / S2}, {1 / (2 * S2), 1 / (2 * S2), 1 - 1 / S2}, "Constantinescu 2e: second order, stiffly accurate L-stable implicit part, explicit first stage", PETSC_TRUE, {(4 - S2) / 8, (4 - S2) / 8, 1 / (2 * S2)}},
  {"3", 4, 3,
   {{0, 0, 0, 0}, {1767732205903. / 2027836641118., 0, 0, 0}, {5535828885825. / 10492691773637., 788022342437. / 10882634858940., 0, 0}, {6485989280629. / 16251701735622., -4246266847089. / 9704473918619., 10755448449292. / 10357097424841., 0}},
   {{0, 0, 0, 0}, {1767732205903. / 4055673282236., 1767732205903. / 4055673282236., 0, 0}, {2746238789719. / 10658868560708., -640167445237. / 6845629431997., 1767732205903. / 4055673282236., 0}, {1471266399579. / 7840856788654., -4482444167858. / 7529755066697., 11266239266428. / 11593286722821., 1767732205903. / 4055673282236.}},
   {1471266399579. / 7840856788654., -4482444167858. / 7529755066697., 11266239266428. / 11593286722821., 1767732205903. / 4055673282236.},
   {1471266399579. / 7840856788654., -4482444167858. / 7529755066697., 11266239266428. / 11593286722821., 1767732205903. / 4055673282236.},
   "Kennedy-Carpenter ARK3(2)4L[2]SA: third order, stiffly accurate L-stable implicit part", PETSC_TRUE,
   {2756255671327. / 12835298489170., -10771552573575. / 22201958757719., 9247589265047. / 10645013368117., 2193209047091. / 5459859503100.}},
};

/* Line sums: every stage needs its data Z summed over the w-lines of each point (the stage
   centre) before any line can be solved. Rather than a read pass over u and the stage vectors,
   their producers (the explicit operator, the stages, the step completion) leave the w-line sums
   of what they write in tot[]: ztot = utot + sum_q a_q tot_q costs O(nv) per point. The sums of u
   are valid while the object state of the solution vector is the one recorded when they were
   made (anything else that writes u, a restart, an initial condition, makes them recomputed,
   in the same order of summation, so the bits do not depend on where they came from). */
#define TOT_U 0
#define TOT_F(j) (1 + (j))
#define TOT_G(j) (1 + FHNK_MAX_STAGES + (j))
#define NTOT (1 + 2 * FHNK_MAX_STAGES)
#define TOT_Y0 TOT_G(0) /* when G_0 is formed from Y_0 (g0y), its slot holds the sums of Y_0 */

typedef struct {
  const Tableau   *tab;
  char             type[16];
  Vec              F[FHNK_MAX_STAGES], G[FHNK_MAX_STAGES], Y, Y0;
  PetscBool        needF[FHNK_MAX_STAGES], needG[FHNK_MAX_STAGES], sa; /* sa: u_{n+1} = Y_s */
  PetscBool        g0y; /* G_0 = (Y_0 - u)/tau_0 is not stored: Y_0 is kept and later stages use it */
  PetscBool        adaptive; /* a TSAdapt other than none: every stage kept, u_{n+1} and the embedded
                                solution formed apart (Y, Yhat), u overwritten only when accepted */
  Vec              Yhat;
  PetscReal       *tot[NTOT];                                           /* nloc x nv each */
  PetscObjectState ustate;                                              /* state of u when tot[TOT_U] was made */
  PetscBool        utot_valid;
} TS_Fused;

static PetscErrorCode TSFusedSetTableau(TS ts, const char *name)
{
  TS_Fused *fu = (TS_Fused *)ts->data;
  PetscFunctionBeginUser;
  for (size_t k = 0; k < sizeof(tableaux) / sizeof(tableaux[0]); k++) {
    PetscBool m;
    PetscCall(PetscStrcmp(name, tableaux[k].name, &m));
    if (m) {
      fu->tab = &tableaux[k];
      PetscCall(PetscStrncpy(fu->type, name, sizeof(fu->type)));
      PetscFunctionReturn(0);
    }
  }
  SETERRQ(PetscObjectComm((PetscObject)ts), PETSC_ERR_ARG_UNKNOWN_TYPE, "-ts_fhnkimex_type %s is not known; valid: euler l2 2e 3", name);
}

static PetscErrorCode TSReset_Fused(TS ts)
{
  TS_Fused *fu = (TS_Fused *)ts->data;
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < FHNK_MAX_STAGES; i++) {
    PetscCall(VecDestroy(&fu->F[i]));
    PetscCall(VecDestroy(&fu->G[i]));
  }
  PetscCall(VecDestroy(&fu->Y));
  PetscCall(VecDestroy(&fu->Y0));
  PetscCall(VecDestroy(&fu->Yhat));
  PetscCall(PetscFree(fu->tot[0]));
  for (PetscInt q = 0; q < NTOT; q++) fu->tot[q] = NULL;
  fu->utot_valid = PETSC_FALSE;
  PetscFunctionReturn(0);
}

static PetscErrorCode TSDestroy_Fused(TS ts)
{
  PetscFunctionBeginUser;
  PetscCall(TSReset_Fused(ts));
  PetscCall(PetscFree(ts->data));
  PetscFunctionReturn(0);
}

/* allocate only the stage vectors the tableau reads later */
static PetscErrorCode TSSetUp_Fused(TS ts)
{
  TS_Fused      *fu = (TS_Fused *)ts->data;
  const Tableau *t  = fu->tab;
  const PetscInt s  = t->s;
  PetscFunctionBeginUser;
  {
    TSAdapt   adapt;
    PetscBool none;
    PetscCall(TSGetAdapt(ts, &adapt));
    PetscCall(PetscObjectTypeCompare((PetscObject)adapt, TSADAPTNONE, &none));
    fu->adaptive = (PetscBool)!none;
    PetscCheck(!fu->adaptive || t->embedded, PetscObjectComm((PetscObject)ts), PETSC_ERR_ARG_INCOMP, "-ts_adapt_type %s needs a tableau with an embedded pair: -ts_fhnkimex_type l2, 2e or 3 (%s has none)", ((PetscObject)adapt)->type_name, t->name);
  }
  fu->sa = PETSC_TRUE;
  for (PetscInt j = 0; j < s; j++) fu->sa = (PetscBool)(fu->sa && t->b[j] == t->A[s - 1][j] && t->bt[j] == t->At[s - 1][j]);
  if (t->b[s - 1] != 0 || fu->adaptive) fu->sa = PETSC_FALSE; /* Y_s does not contain F_s */
  for (PetscInt j = 0; j < s; j++) {
    fu->needF[j] = fu->needG[j] = fu->adaptive; /* adaptive: the two completions read every stage */
    for (PetscInt i = j + 1; i < s; i++) {
      if (t->A[i][j] != 0) fu->needF[j] = PETSC_TRUE;
      if (t->At[i][j] != 0) fu->needG[j] = PETSC_TRUE;
    }
    if (!fu->sa && j < s - 1) { /* the last stage's terms go straight into the solution */
      if (t->b[j] != 0) fu->needF[j] = PETSC_TRUE;
      if (t->bt[j] != 0) fu->needG[j] = PETSC_TRUE;
    }
  }
  /* an implicit first stage solves Y_0 from Z_0 = u, so G_0 = (Y_0 - u)/tau_0: keeping Y_0 instead
     of G_0 saves writing G_0 (and the stage needs Y_0 stored anyway, for F_0) */
  fu->g0y = (PetscBool)(t->At[0][0] != 0 && fu->needG[0] && !fu->adaptive);
  for (PetscInt j = 0; j < s; j++) {
    if (fu->needF[j]) PetscCall(VecDuplicate(ts->vec_sol, &fu->F[j]));
    if (fu->needG[j] && !(j == 0 && fu->g0y)) PetscCall(VecDuplicate(ts->vec_sol, &fu->G[j]));
    /* first touch here (page faults, NUMA placement by the owning rank), not in the first step */
    if (fu->F[j]) PetscCall(VecZeroEntries(fu->F[j]));
    if (fu->G[j]) PetscCall(VecZeroEntries(fu->G[j]));
  }
  PetscCall(VecDuplicate(ts->vec_sol, &fu->Y));
  PetscCall(VecZeroEntries(fu->Y));
  if (fu->g0y) {
    PetscCall(VecDuplicate(ts->vec_sol, &fu->Y0));
    PetscCall(VecZeroEntries(fu->Y0));
  }
  if (fu->adaptive) PetscCall(VecDuplicate(ts->vec_sol, &fu->Yhat));
  { /* the line sums: nloc x nv per slot */
    Fhnk     fk;
    PetscInt n;
    PetscCall(TSGetApplicationContext(ts, &fk));
    n = PetscMax(1, fk->nloc * fk->ph.nv);
    PetscCall(PetscCalloc1(NTOT * n, &fu->tot[0]));
    for (PetscInt q = 1; q < NTOT; q++) fu->tot[q] = fu->tot[0] + q * n;
    fu->utot_valid = PETSC_FALSE;
  }
  PetscFunctionReturn(0);
}

/* One implicit stage, fused over each point: Z, the line solves, G_i and the mean of Y.
   The last stage also completes the step in the same pass: when the scheme is stiffly accurate
   the solution is Y itself, solved in place into U; otherwise
     U = u + h sum_{j<i} (b_j F_j + bt_j G_j) + (bt_i/At_ii)(Y - Z)
   is written here and the caller adds h b_i F_ex(Y). No stage vector of the last stage is kept.
   Per point, one sweep over its w-lines in blocks of FHNK_BLOCK lines small enough for L1: Z (and
   the partial completion) of the block, its solve, G_i and the completion. The stage centre
   needs the summed line of Z first: it comes from the line sums the producers left (tot[]), not
   from a pass over the data. Whole-point buffers (nv nw doubles, beyond L2) cost about 20 passes
   through L2/L3 per stage; this reads each input once and writes each output once. */
#define FHNK_BLOCK 8

/* mean voltage of a point from the w-line sums of its f */
static inline PetscReal LineMean(const PetscReal *v, const PetscReal *tot, PetscInt nv)
{
  PetscReal m0 = 0, m1 = 0;
  for (PetscInt iv = 0; iv < nv; iv++) {
    m0 += tot[iv];
    m1 += v[iv] * tot[iv];
  }
  return m0 > 0 ? m1 / m0 : 0;
}

/* where stage i's solution goes: Y_0 is kept apart when later stages form G_0 from it */
static inline Vec StageY(TS_Fused *fu, PetscInt i)
{
  return i == 0 && fu->g0y ? fu->Y0 : fu->Y;
}
static PetscErrorCode ImplicitStage(Fhnk fk, TS_Fused *fu, PetscInt i, PetscReal h, Vec U)
{
  const Tableau  *t    = fu->tab;
  const PetscBool last = (PetscBool)(i == t->s - 1 && !fu->adaptive), inplace = (PetscBool)(last && fu->sa), complete = (PetscBool)(last && !fu->sa);
  const PetscInt  nc = fk->ph.ncell, nv = fk->ph.nv, nw = fk->ph.nw;
  const PetscReal tau = h * t->At[i][i], itau = 1 / tau, cy = t->bt[i] / t->At[i][i], *v = fk->ph.v;
  const PetscScalar *r, *src[2 * FHNK_MAX_STAGES], *zs[2 * FHNK_MAX_STAGES], *ps[2 * FHNK_MAX_STAGES], *zt[2 * FHNK_MAX_STAGES];
  PetscScalar       *u, *y, *g = NULL;
  PetscReal          za[2 * FHNK_MAX_STAGES], pa[2 * FHNK_MAX_STAGES];
  PetscInt           nsrc = 0, nz = 0, np = 0, idx[2 * FHNK_MAX_STAGES];
  PetscBool          isF[2 * FHNK_MAX_STAGES];
  PetscReal         *Zb = fk->zbuf, *Pb = fk->zbuf2, *ztot = fk->opwork + nv, *ytot = fk->opwork + 2 * nv;
  /* line sums this stage leaves: of G_i, and of u when it writes the final u (no explicit term
     follows: otherwise the explicit operator leaves them) */
  PetscReal *gt = fu->needG[i] && !(i == 0 && fu->g0y) ? fu->tot[TOT_G(i)] : NULL, *ut = complete && t->b[i] == 0 ? fu->tot[TOT_U] : NULL;
  /* g0y: G_0 enters as d (Y_0 - u) with d = coefficient / tau_0 */
  const PetscScalar *y0 = NULL;
  PetscReal          dz = 0, dp = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(fk->log.fused, 0, 0, 0, 0));
  /* the stage terms: Z = u + sum za_q src_q, partial completion Pc = u + sum pa_q src_q */
  for (PetscInt pass = 0; pass < 2; pass++)
    for (PetscInt j = 0; j < i; j++) {
      const PetscReal a1 = h * (pass ? t->At[i][j] : t->A[i][j]), b1 = complete ? h * (pass ? t->bt[j] : t->b[j]) : 0;
      if (a1 == 0 && b1 == 0) continue;
      if (pass && j == 0 && fu->g0y) {
        const PetscReal t0 = h * t->At[0][0];
        PetscCall(VecGetArrayRead(fu->Y0, &y0));
        dz = a1 / t0;
        dp = b1 / t0;
        continue;
      }
      isF[nsrc] = (PetscBool)!pass;
      idx[nsrc] = j;
      PetscCall(VecGetArrayRead(pass ? fu->G[j] : fu->F[j], &src[nsrc]));
      if (a1 != 0) { za[nz] = a1; zt[nz] = fu->tot[pass ? TOT_G(j) : TOT_F(j)]; zs[nz++] = src[nsrc]; }
      if (b1 != 0) { pa[np] = b1; ps[np++] = src[nsrc]; }
      nsrc++;
    }
  PetscCall(VecGetArray(U, &u));
  if (inplace) y = u;
  else PetscCall(VecGetArray(StageY(fu, i), &y));
  if (fu->G[i]) PetscCall(VecGetArray(fu->G[i], &g));
  PetscCall(VecGetArrayRead(fk->rho0, &r));
  for (PetscInt p = 0; p < fk->nloc; p++) {
    const PetscInt  off = p * nc;
    const PetscReal k   = r[p] / fk->model.eps;

    /* Z summed over the w-lines, from the line sums of its terms */
    {
      const PetscReal *restrict ut = fu->tot[TOT_U] + p * nv;
      for (PetscInt iv = 0; iv < nv; iv++) ztot[iv] = ut[iv];
      for (PetscInt q = 0; q < nz; q++) {
        const PetscReal *restrict tq = zt[q] + p * nv, a = za[q];
        for (PetscInt iv = 0; iv < nv; iv++) ztot[iv] += a * tq[iv];
      }
      if (y0 && dz != 0) {
        const PetscReal *restrict yt = fu->tot[TOT_Y0] + p * nv;
        for (PetscInt iv = 0; iv < nv; iv++) ztot[iv] += dz * (yt[iv] - ut[iv]);
      }
    }
    PetscCall(FhnkStageCentre(fk, k, tau, ztot, &fk->Vc[p]));

    /* block by block: Z, the solve, G_i, the moments of Y and the completion. Sums run along the
       lines (ytot, then reduced over nv): vector adds, not one scalar chain per cell */
    for (PetscInt iv = 0; iv < nv; iv++) ytot[iv] = 0;
    if (gt)
      for (PetscInt iv = 0; iv < nv; iv++) gt[p * nv + iv] = 0;
    if (ut)
      for (PetscInt iv = 0; iv < nv; iv++) ut[p * nv + iv] = 0;
    for (PetscInt j0 = 0; j0 < nw; j0 += FHNK_BLOCK) {
      const PetscInt bo = off + j0 * nv, nl = PetscMin(FHNK_BLOCK, nw - j0), nb = nl * nv;
      PetscReal *restrict z = Zb, *restrict pc = Pb;
      PetscReal       *yb = y + bo; /* = ub when solving in place */
      const PetscReal *ub = u + bo;
      for (PetscInt c = 0; c < nb; c++) z[c] = ub[c];
      for (PetscInt q = 0; q < nz; q++) {
        const PetscReal *restrict sq = zs[q] + bo, a = za[q];
        for (PetscInt c = 0; c < nb; c++) z[c] += a * sq[c];
      }
      if (complete) {
        for (PetscInt c = 0; c < nb; c++) pc[c] = ub[c];
        for (PetscInt q = 0; q < np; q++) {
          const PetscReal *restrict sq = ps[q] + bo, a = pa[q];
          for (PetscInt c = 0; c < nb; c++) pc[c] += a * sq[c];
        }
      }
      if (y0) { /* the G_0 terms, from Y_0 and u */
        const PetscReal *restrict yq = y0 + bo;
        if (dz != 0)
          for (PetscInt c = 0; c < nb; c++) z[c] += dz * (yq[c] - ub[c]);
        if (complete && dp != 0)
          for (PetscInt c = 0; c < nb; c++) pc[c] += dp * (yq[c] - ub[c]);
      }
      FhnkSolveLines(fk, nl, z, yb); /* in place into u when stiffly accurate: z holds the data */
      for (PetscInt l = 0; l < nl; l++) {
        const PetscReal *yl = yb + l * nv;
        for (PetscInt iv = 0; iv < nv; iv++) ytot[iv] += yl[iv];
      }
      if (g) {
        PetscReal *restrict gb = g + bo;
        for (PetscInt c = 0; c < nb; c++) gb[c] = (yb[c] - z[c]) * itau;
        for (PetscInt l = 0; l < nl; l++)
          for (PetscInt iv = 0; iv < nv; iv++) gt[p * nv + iv] += gb[l * nv + iv];
      }
      if (complete) {
        PetscReal *restrict uo = u + bo;
        for (PetscInt c = 0; c < nb; c++) uo[c] = pc[c] + cy * (yb[c] - z[c]);
        if (ut)
          for (PetscInt l = 0; l < nl; l++)
            for (PetscInt iv = 0; iv < nv; iv++) ut[p * nv + iv] += uo[l * nv + iv];
      }
    }
    if (inplace) PetscCall(PetscArraycpy(fu->tot[TOT_U] + p * nv, ytot, nv)); /* u = Y: same order of summation */
    fk->Vy[p] = LineMean(v, ytot, nv);
    if (i == 0 && fu->g0y) PetscCall(PetscArraycpy(fu->tot[TOT_Y0] + p * nv, ytot, nv));
  }
  PetscCall(VecRestoreArrayRead(fk->rho0, &r));
  if (g) PetscCall(VecRestoreArray(fu->G[i], &g));
  if (!inplace) PetscCall(VecRestoreArray(StageY(fu, i), &y));
  if (y0) PetscCall(VecRestoreArrayRead(fu->Y0, &y0));
  PetscCall(VecRestoreArray(U, &u));
  for (PetscInt q = 0; q < nsrc; q++) PetscCall(VecRestoreArrayRead(isF[q] ? fu->F[idx[q]] : fu->G[idx[q]], &src[q]));
  PetscCall(PetscLogEventEnd(fk->log.fused, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* The stages of one step of size h from U. Fixed steps complete the step on the way (into U);
   adaptive ones leave every F_i, G_i in place for the two completions. */
static PetscErrorCode Stages(TS ts, TS_Fused *fu, Fhnk fk, PetscReal h, Vec U)
{
  const Tableau *t = fu->tab;
  PetscFunctionBeginUser;
  { /* line sums of u: still those the last step left, or made afresh */
    PetscObjectState st;
    PetscCall(PetscObjectStateGet((PetscObject)U, &st));
    if (!fu->utot_valid || st != fu->ustate) {
      const PetscScalar *u;
      PetscCall(VecGetArrayRead(U, &u));
      for (PetscInt p = 0; p < fk->nloc; p++) FhnkLineSum(fk, u + p * fk->ph.ncell, fu->tot[TOT_U] + p * fk->ph.nv);
      PetscCall(VecRestoreArrayRead(U, &u));
      PetscCall(PetscObjectStateGet((PetscObject)U, &fu->ustate));
      fu->utot_valid = PETSC_TRUE;
    }
  }
  for (PetscInt i = 0; i < t->s; i++) {
    PetscReal ci = 0, ts_i;
    for (PetscInt j = 0; j < i; j++) ci += t->A[i][j];
    PetscCall(TSPreStage(ts, ts->ptime + h * ci));
    ts_i = ts->ptime + 0.5 * h; /* I_ext is constant on the step (steps are cut at its jumps): its midpoint */
    if (t->At[i][i] == 0) { /* explicit first stage: Y_0 = u */
      PetscCheck(i == 0, PETSC_COMM_SELF, PETSC_ERR_SUP, "only the first stage may be explicit");
      for (PetscInt p = 0; p < fk->nloc; p++) fk->Vy[p] = LineMean(fk->ph.v, fu->tot[TOT_U] + p * fk->ph.nv, fk->ph.nv);
      if (fu->needG[0]) PetscCall(FhnkImplicit(fk, U, fu->G[0], fu->tot[TOT_U], fu->tot[TOT_G(0)]));
      if (fu->needF[0]) PetscCall(FhnkExplicitGivenVAdd(fk, ts_i, U, fk->Vy, fu->F[0], PETSC_FALSE, PETSC_FALSE, 1.0, fu->tot[TOT_F(0)]));
    } else {
      PetscCall(ImplicitStage(fk, fu, i, h, U));
      if (fu->needF[i]) PetscCall(FhnkExplicitGivenVAdd(fk, ts_i, StageY(fu, i), fk->Vy, fu->F[i], PETSC_FALSE, PETSC_FALSE, 1.0, fu->tot[TOT_F(i)]));
      else if (i == t->s - 1 && !fu->sa && t->b[i] != 0) PetscCall(FhnkExplicitGivenVAdd(fk, ts_i, fu->Y, fk->Vy, U, PETSC_FALSE, PETSC_TRUE, h * t->b[i], fu->tot[TOT_U]));
    }
  }
  PetscFunctionReturn(0);
}

/* X = U + h sum_j (b_j F_j + bt_j G_j), or with the embedded weights */
static PetscErrorCode Complete(TS_Fused *fu, PetscReal h, PetscBool embedded, Vec U, Vec X)
{
  const Tableau *t = fu->tab;
  PetscScalar    alpha[2 * FHNK_MAX_STAGES];
  Vec            V[2 * FHNK_MAX_STAGES];
  PetscInt       n = 0;
  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < t->s; j++) {
    alpha[n] = h * (embedded ? t->be[j] : t->b[j]);
    V[n++]   = fu->F[j];
    alpha[n] = h * (embedded ? t->be[j] : t->bt[j]);
    V[n++]   = fu->G[j];
  }
  PetscCall(VecCopy(U, X));
  PetscCall(VecMAXPY(X, n, alpha, V));
  PetscFunctionReturn(0);
}

/* weighted norm of u_{n+1} - (embedded solution), for TSAdaptChoose */
static PetscErrorCode TSEvaluateWLTE_Fused(TS ts, NormType wnormtype, PetscInt *order, PetscReal *wlte)
{
  TS_Fused *fu = (TS_Fused *)ts->data;
  PetscReal a, r;
  PetscFunctionBeginUser;
  PetscCheck(fu->adaptive, PetscObjectComm((PetscObject)ts), PETSC_ERR_ARG_WRONGSTATE, "no error estimate without an adaptive step");
  PetscCall(TSErrorWeightedNorm(ts, fu->Y, fu->Yhat, wnormtype, wlte, &a, &r));
  *order = fu->tab->order;
  PetscFunctionReturn(0);
}

static PetscErrorCode TSStep_Fused(TS ts)
{
  TS_Fused *fu = (TS_Fused *)ts->data;
  Fhnk      fk;
  Vec       U = ts->vec_sol;
  PetscReal h = ts->time_step;

  PetscFunctionBeginUser;
  PetscCall(TSGetApplicationContext(ts, &fk));
  /* land exactly on the final time (MATCHSTEP) without a sliver of a step */
  if (ts->exact_final_time == TS_EXACTFINALTIME_MATCHSTEP && ts->ptime + h * (1 + 1e-9) >= ts->max_time) h = ts->max_time - ts->ptime;
  if (!fu->adaptive) {
    PetscCall(Stages(ts, fu, fk, h, U));
    /* every way of ending the step above leaves the line sums of the new u */
    PetscCall(PetscObjectStateGet((PetscObject)U, &fu->ustate));
    fu->utot_valid = PETSC_TRUE;
    ts->ptime += h;
  } else { /* PETSc's protocol (as in its RK and ARKIMEX): try, ask the adaptor, retry smaller */
    TSAdapt   adapt;
    PetscBool accept    = PETSC_TRUE;
    PetscInt  rejection = 0;
    PetscCall(TSGetAdapt(ts, &adapt));
    for (;;) {
      PetscReal next_h;
      ts->time_step = h; /* the adaptor reads the size of the step it judges from the TS */
      PetscCall(Stages(ts, fu, fk, h, U));
      PetscCall(Complete(fu, h, PETSC_FALSE, U, fu->Y));
      PetscCall(Complete(fu, h, PETSC_TRUE, U, fu->Yhat));
      PetscCall(TSAdaptChoose(adapt, ts, h, NULL, &next_h, &accept));
      if (accept) {
        PetscCall(VecCopy(fu->Y, U));
        ts->ptime += h;
        ts->time_step = next_h;
        break;
      }
      ts->reject++;
      if (ts->max_reject >= 0 && ++rejection > ts->max_reject) {
        ts->reason = TS_DIVERGED_STEP_REJECTED;
        PetscCall(PetscInfo(ts, "step rejected %" PetscInt_FMT " times at t = %g\n", rejection, (double)ts->ptime));
        PetscFunctionReturn(0);
      }
      h = next_h;
    }
  }
  if (ts->exact_final_time == TS_EXACTFINALTIME_MATCHSTEP && PetscAbsReal(ts->ptime - ts->max_time) < 1e-12 * PetscAbsReal(ts->max_time)) ts->ptime = ts->max_time;
  PetscFunctionReturn(0);
}

static PetscErrorCode TSSetFromOptions_Fused(TS ts, PetscOptionItemsPtr PetscOptionsObject)
{
  TS_Fused *fu = (TS_Fused *)ts->data;
  char      type[16];
  PetscBool flg;
  PetscFunctionBeginUser;
  PetscOptionsHeadBegin(PetscOptionsObject, "fhnkimex: fused IMEX Runge-Kutta of fhnk");
  PetscCall(PetscOptionsString("-ts_fhnkimex_type", "tableau: euler (1st order, positive for any eps), l2 (default), 2e, 3; l2, 2e and 3 have embedded pairs for -ts_adapt_type basic (-ts_rtol, -ts_atol)", "", fu->type, type, sizeof(type), &flg));
  if (flg) PetscCall(TSFusedSetTableau(ts, type));
  PetscOptionsHeadEnd();
  PetscFunctionReturn(0);
}

static PetscErrorCode TSView_Fused(TS ts, PetscViewer viewer)
{
  TS_Fused *fu = (TS_Fused *)ts->data;
  PetscBool iascii;
  PetscFunctionBeginUser;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &iascii));
  if (iascii) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "  fused IMEX tableau %s (order %" PetscInt_FMT ", %" PetscInt_FMT " stages): %s\n", fu->tab->name, fu->tab->order, fu->tab->s, fu->tab->note));
    PetscCall(PetscViewerASCIIPrintf(viewer, "  %s\n", fu->tab->embedded ? (fu->adaptive ? "adaptive steps: embedded pair of order - 1 (every stage kept, step completed apart)" : "fixed steps (an embedded pair is available: -ts_adapt_type basic)") : "fixed steps (no embedded pair)"));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode TSCreate_Fused(TS ts)
{
  TS_Fused *fu;
  PetscFunctionBeginUser;
  PetscCall(PetscNew(&fu));
  ts->data                = fu;
  ts->ops->reset          = TSReset_Fused;
  ts->ops->destroy        = TSDestroy_Fused;
  ts->ops->setup          = TSSetUp_Fused;
  ts->ops->step           = TSStep_Fused;
  ts->ops->setfromoptions = TSSetFromOptions_Fused;
  ts->ops->view           = TSView_Fused;
  ts->ops->evaluatewlte   = TSEvaluateWLTE_Fused;
  ts->usessnes            = PETSC_FALSE;
  PetscCall(TSFusedSetTableau(ts, "l2"));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkRegisterFusedTS(void)
{
  PetscFunctionBeginUser;
  PetscCall(TSRegister(TSFHNKIMEX, TSCreate_Fused));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkFusedSetType(TS ts, const char *name)
{
  PetscFunctionBeginUser;
  PetscCall(TSFusedSetTableau(ts, name));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkFusedHasEmbedded(TS ts, PetscBool *embedded)
{
  TS_Fused *fu = (TS_Fused *)ts->data;
  PetscFunctionBeginUser;
  *embedded = fu->tab->embedded;
  PetscFunctionReturn(0);
}
