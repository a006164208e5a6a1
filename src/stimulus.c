/* External stimulus I_ext(t, x): pulses of current (issue 9). See stimulus.h and docs/layout.md.
   The spatial factor A_k S_k(x_p) of every pulse is tabulated once at the local points; a stage
   then costs O(nloc x pulses). */
#include "stimulus.h"
#include "options.h"

/* disk: 1 on |x - c| <= r (an interval in 1-D) */
static PetscErrorCode ShapeDisk(Fhnk fk, PetscInt k, const PetscReal *x, PetscReal *val)
{
  const FhnkStim *s  = &fk->stim;
  PetscReal       r2 = PetscSqr(x[0] - s->x[k]);
  if (fk->space.dim == 2) r2 += PetscSqr(x[1] - s->y[k]);
  *val = r2 <= PetscSqr(s->r[k]) ? 1.0 : 0.0;
  return 0;
}
/* gaussian: exp(-|x - c|^2 / (2 r^2)) */
static PetscErrorCode ShapeGaussian(Fhnk fk, PetscInt k, const PetscReal *x, PetscReal *val)
{
  const FhnkStim *s  = &fk->stim;
  PetscReal       r2 = PetscSqr(x[0] - s->x[k]);
  if (fk->space.dim == 2) r2 += PetscSqr(x[1] - s->y[k]);
  *val = PetscExpReal(-r2 / (2 * PetscSqr(s->r[k])));
  return 0;
}
/* rect: 1 on |x1 - x_k| <= r and |x2 - y_k| <= ry (S1-S2 cross-field protocols: a strip, then a
   half-sheet block) */
static PetscErrorCode ShapeRect(Fhnk fk, PetscInt k, const PetscReal *x, PetscReal *val)
{
  const FhnkStim *s = &fk->stim;
  PetscBool       in = (PetscBool)(PetscAbsReal(x[0] - s->x[k]) <= s->r[k]);
  if (fk->space.dim == 2) in = (PetscBool)(in && PetscAbsReal(x[1] - s->y[k]) <= s->ry[k]);
  *val = in ? 1.0 : 0.0;
  return 0;
}

PetscErrorCode FhnkStimRegisterAll(Fhnk fk)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListAdd(&fk->stim.shapes, "disk", ShapeDisk));
  PetscCall(PetscFunctionListAdd(&fk->stim.shapes, "gaussian", ShapeGaussian));
  PetscCall(PetscFunctionListAdd(&fk->stim.shapes, "rect", ShapeRect));
  PetscFunctionReturn(0);
}

/* one -stim_ real array (read with a capacity of one more than allowed, so that too many values
   are seen): n values, or one value for every pulse */
static PetscErrorCode StimArray(Fhnk fk, PetscOptionItemsPtr PetscOptionsObject, const char *name, const char *help, PetscReal *vals, PetscReal def, PetscInt n, PetscBool *any)
{
  PetscReal buf[FHNK_MAX_STIM + 1];
  PetscInt  m = FHNK_MAX_STIM + 1;
  PetscBool set;
  PetscFunctionBeginUser;
  buf[0] = def;
  PetscCall(PetscOptionsRealArray(name, help, "", buf, &m, &set));
  for (PetscInt k = 0; k < FHNK_MAX_STIM; k++) vals[k] = def;
  *any = (PetscBool)(*any || set);
  if (!set) PetscFunctionReturn(0);
  if (m == 1)
    for (PetscInt k = 0; k < FHNK_MAX_STIM; k++) vals[k] = buf[0];
  else if (m == n)
    for (PetscInt k = 0; k < n; k++) vals[k] = buf[k];
  else PetscCall(FhnkBad(fk, "%s has %d values: give one value (for every pulse) or one per pulse (%d, the number of -stim_amp values)", name, (int)m, (int)n));
  PetscFunctionReturn(0);
}

/* -stim_*: their own section of -help. One value applies to every pulse; the number of -stim_amp
   values is the number of pulses. */
PetscErrorCode FhnkStimOptions(Fhnk fk)
{
  FhnkStim *s = &fk->stim;
  PetscReal amp[FHNK_MAX_STIM + 1], cnt[FHNK_MAX_STIM];
  PetscInt  n = FHNK_MAX_STIM + 1;
  PetscBool set, any = PETSC_FALSE;
  PetscFunctionBeginUser;
  amp[0] = 0; /* what -help shows */
  PetscOptionsBegin(fk->comm, NULL, "fhnk stimulus: I_ext(t,x) = sum_k A_k S_k(x) H_k(t), added to the v-drift of every model (docs/layout.md)", "fhnk");
  PetscCall(PetscOptionsRealArray("-stim_amp", "amplitudes A_k of the pulses, one per pulse (their number is the number of pulses; none: no stimulus)", "", amp, &n, &set));
  if (set && n > FHNK_MAX_STIM) {
    PetscCall(FhnkBad(fk, "-stim_amp: at most %d pulses", FHNK_MAX_STIM));
    n = 0;
  }
  s->n = set ? n : 0;
  for (PetscInt k = 0; k < s->n; k++) s->amp[k] = amp[k];
  {
    char    *names[FHNK_MAX_STIM + 1];
    PetscInt m = FHNK_MAX_STIM + 1;
    for (PetscInt k = 0; k < FHNK_MAX_STIM; k++) PetscCall(PetscStrncpy(s->shape[k], "disk", sizeof(s->shape[k])));
    PetscCall(PetscOptionsStringArray("-stim_shape", "shape S_k: disk (1 on |x-c| <= r) | gaussian (exp(-|x-c|^2/(2 r^2))) | rect (1 on |x1-x| <= r, |x2-y| <= ry); default disk", "", names, &m, &set));
    any = (PetscBool)(any || set);
    if (set) {
      if (m != 1 && m != s->n) PetscCall(FhnkBad(fk, "-stim_shape has %d values: give one (for every pulse) or one per pulse (%d)", (int)m, (int)s->n));
      else
        for (PetscInt k = 0; k < FHNK_MAX_STIM; k++) PetscCall(PetscStrncpy(s->shape[k], names[m == 1 ? 0 : PetscMin(k, m - 1)], sizeof(s->shape[k])));
      for (PetscInt k = 0; k < PetscMin(m, FHNK_MAX_STIM + 1); k++) PetscCall(PetscFree(names[k]));
    }
  }
  PetscCall(StimArray(fk, PetscOptionsObject, "-stim_x", "centre x1 of each pulse", s->x, 0, s->n, &any));
  PetscCall(StimArray(fk, PetscOptionsObject, "-stim_y", "centre x2 of each pulse (2-D)", s->y, 0, s->n, &any));
  PetscCall(StimArray(fk, PetscOptionsObject, "-stim_radius", "radius r (disk), width (gaussian), half-width in x1 (rect) (> 0)", s->r, 0.1, s->n, &any));
  PetscCall(StimArray(fk, PetscOptionsObject, "-stim_radius_y", "rect: half-width in x2 (> 0; default -stim_radius)", s->ry, -1, s->n, &any));
  PetscCall(StimArray(fk, PetscOptionsObject, "-stim_onset", "time t0 of the first pulse (>= 0)", s->onset, 0, s->n, &any));
  PetscCall(StimArray(fk, PetscOptionsObject, "-stim_duration", "duration d of each pulse (> 0)", s->duration, 1, s->n, &any));
  PetscCall(StimArray(fk, PetscOptionsObject, "-stim_period", "period T of the repeats (0: none; >= duration when count > 1)", s->period, 0, s->n, &any));
  PetscCall(StimArray(fk, PetscOptionsObject, "-stim_count", "number of repeats n (integer >= 1)", cnt, 1, s->n, &any));
  PetscOptionsEnd();

  if (any && !s->n) PetscCall(FhnkBad(fk, "-stim_* options need -stim_amp (one amplitude per pulse)"));
  for (PetscInt k = 0; k < s->n; k++) {
    FhnkStimShapeFn fn;
    if (s->ry[k] < 0) s->ry[k] = s->r[k];
    PetscCall(PetscFunctionListFind(s->shapes, s->shape[k], &fn));
    if (!fn) PetscCall(FhnkBad(fk, "-stim_shape %s (pulse %d) is not known; valid choices: disk gaussian rect", s->shape[k], (int)k + 1));
#define STIMCHK(cond, ...) \
  do { \
    if (!(cond)) PetscCall(FhnkBad(fk, __VA_ARGS__)); \
  } while (0)
    STIMCHK(!PetscIsInfOrNanReal(s->amp[k]), "-stim_amp must be finite (pulse %d: %g)", (int)k + 1, (double)s->amp[k]);
    STIMCHK(!PetscIsInfOrNanReal(s->x[k]), "-stim_x must be finite (pulse %d: %g)", (int)k + 1, (double)s->x[k]);
    STIMCHK(!PetscIsInfOrNanReal(s->y[k]), "-stim_y must be finite (pulse %d: %g)", (int)k + 1, (double)s->y[k]);
    STIMCHK(s->r[k] > 0 && s->r[k] < PETSC_INFINITY, "-stim_radius must be > 0 and finite (pulse %d: %g)", (int)k + 1, (double)s->r[k]);
    STIMCHK(s->ry[k] > 0 && s->ry[k] < PETSC_INFINITY, "-stim_radius_y must be > 0 and finite (pulse %d: %g)", (int)k + 1, (double)s->ry[k]);
    STIMCHK(s->onset[k] >= 0 && s->onset[k] < PETSC_INFINITY, "-stim_onset must be >= 0 and finite (pulse %d: %g)", (int)k + 1, (double)s->onset[k]);
    STIMCHK(s->duration[k] > 0 && s->duration[k] < PETSC_INFINITY, "-stim_duration must be > 0 and finite (pulse %d: %g)", (int)k + 1, (double)s->duration[k]);
    STIMCHK(cnt[k] >= 1 && cnt[k] <= 1e9 && cnt[k] == PetscFloorReal(cnt[k]), "-stim_count must be an integer in [1, 1e9] (pulse %d: %g)", (int)k + 1, (double)cnt[k]);
    STIMCHK(s->period[k] >= 0 && s->period[k] < PETSC_INFINITY, "-stim_period must be >= 0 and finite (pulse %d: %g)", (int)k + 1, (double)s->period[k]);
    STIMCHK(!(cnt[k] > 1) || s->period[k] >= s->duration[k], "-stim_period must be >= -stim_duration when -stim_count > 1 (pulse %d: period %g, duration %g)", (int)k + 1, (double)s->period[k], (double)s->duration[k]);
#undef STIMCHK
    s->count[k] = (PetscInt)cnt[k];
  }
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkStimSetUp(Fhnk fk)
{
  FhnkStim *s = &fk->stim;
  PetscFunctionBeginUser;
  if (!s->n) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(fk->nloc * s->n, &s->prof));
  for (PetscInt k = 0; k < s->n; k++) {
    FhnkStimShapeFn fn;
    PetscInt        touched = 0;
    PetscCall(PetscFunctionListFind(s->shapes, s->shape[k], &fn));
    for (PetscInt p = 0; p < fk->nloc; p++) {
      PetscReal val;
      PetscCall((*fn)(fk, k, fk->xloc + p * fk->space.dim, &val));
      s->prof[p * s->n + k] = s->amp[k] * val;
      if (val != 0) touched++;
    }
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &touched, 1, MPIU_INT, MPI_SUM, fk->comm));
    if (!touched) PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: WARNING: stimulus %d (%s at %g, %g, radius %g) covers no point of K: it has no effect\n", (int)k + 1, s->shape[k], (double)s->x[k], (double)s->y[k], (double)s->r[k]));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkStimDestroy(Fhnk fk)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(fk->stim.prof));
  PetscFunctionReturn(0);
}

/* H_k(t): on during [t0 + j T, t0 + j T + d), j = 0 .. n-1 */
PetscBool FhnkStimOn(const FhnkStim *s, PetscInt k, PetscReal t)
{
  const PetscReal tau = t - s->onset[k];
  PetscReal       j;
  if (tau < 0) return PETSC_FALSE;
  if (s->count[k] == 1 || s->period[k] <= 0) return (PetscBool)(tau < s->duration[k]);
  j = PetscFloorReal(tau / s->period[k]);
  if (j >= s->count[k]) return PETSC_FALSE;
  return (PetscBool)(tau - j * s->period[k] < s->duration[k]);
}

void FhnkStimAdd(Fhnk fk, PetscReal t, PetscReal *out)
{
  const FhnkStim *s = &fk->stim;
  for (PetscInt k = 0; k < s->n; k++) {
    if (!FhnkStimOn(s, k, t)) continue;
    for (PetscInt p = 0; p < fk->nloc; p++) out[p] += s->prof[p * s->n + k];
  }
}

void FhnkStimBound(Fhnk fk, PetscReal *out)
{
  const FhnkStim *s = &fk->stim;
  for (PetscInt p = 0; p < fk->nloc; p++) {
    out[p] = 0;
    for (PetscInt k = 0; k < s->n; k++) out[p] += PetscAbsReal(s->prof[p * s->n + k]);
  }
}

/* the first time after t + tol at which some pulse switches on or off (PETSC_MAX_REAL: none).
   Time steps are cut there, so that I_ext is constant on every step. */
PetscReal FhnkStimNextEdge(Fhnk fk, PetscReal t, PetscReal tol)
{
  const FhnkStim *s    = &fk->stim;
  PetscReal       next = PETSC_MAX_REAL;
  for (PetscInt k = 0; k < s->n; k++) {
    const PetscBool rep = (PetscBool)(s->count[k] > 1 && s->period[k] > 0);
    PetscReal       j   = rep ? PetscMax(0, PetscFloorReal((t - s->onset[k]) / s->period[k])) : 0;
    for (PetscInt it = 0; it < 2 && j < (rep ? s->count[k] : 1); it++, j++) {
      const PetscReal a = s->onset[k] + j * (rep ? s->period[k] : 0), b = a + s->duration[k];
      if (a > t + tol) next = PetscMin(next, a);
      else if (b > t + tol) next = PetscMin(next, b);
    }
  }
  return next;
}
