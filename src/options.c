/* Options of SPEC 5. Every check names the option and its valid range; a failed check sets
   fk->bad_input (all problems are reported, not only the first) and main exits 1 before
   anything is written. */
#include "options.h"
#include "model.h"
#include "grid.h"
#include "coupling.h"
#include "stimulus.h"
#include "network.h"
#include "outdir.h"
#include <unistd.h>
#include <sys/stat.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <strings.h>

/* plain snprintf: PETSc's own printf would write 1 as "1." */
#define BAD(...) \
  do { \
    char msg_[2048]; \
    snprintf(msg_, sizeof(msg_), __VA_ARGS__); \
    PetscCall(FhnkPrintf(fk->comm, PETSC_STDERR, "fhnk: error: %s\n", msg_)); \
    fk->bad_input = PETSC_TRUE; \
  } while (0)

PetscErrorCode FhnkBad(Fhnk fk, const char *fmt, ...)
{
  char    msg[2048];
  va_list ap;
  PetscFunctionBeginUser;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  PetscCall(FhnkPrintf(fk->comm, PETSC_STDERR, "fhnk: error: %s\n", msg));
  fk->bad_input = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkCreate(MPI_Comm comm, Fhnk *out)
{
  Fhnk fk;
  PetscFunctionBeginUser;
  PetscCall(PetscNew(&fk));
  fk->comm = comm;
  PetscCallMPI(MPI_Comm_rank(comm, &fk->rank));
  PetscCallMPI(MPI_Comm_size(comm, &fk->size));
  PetscCall(FhnkGridRegisterAll(fk));
  PetscCall(FhnkCouplingRegisterAll(fk));
  PetscCall(FhnkStimRegisterAll(fk));
  PetscCall(FhnkModelRegisterAll(fk));
  {
    PetscClassId id;
    PetscCall(PetscClassIdRegister("fhnk", &id));
    PetscCall(PetscLogEventRegister("FhnkExplicit", id, &fk->log.explicit_op));
    PetscCall(PetscLogEventRegister("FhnkImplicitOp", id, &fk->log.implicit_op));
    PetscCall(PetscLogEventRegister("FhnkLineSolve", id, &fk->log.line_solve));
    PetscCall(PetscLogEventRegister("FhnkMoments", id, &fk->log.moments));
    PetscCall(PetscLogEventRegister("FhnkPsiConv", id, &fk->log.psi));
    PetscCall(PetscLogEventRegister("FhnkDiagnostics", id, &fk->log.diag));
    PetscCall(PetscLogEventRegister("FhnkIO", id, &fk->log.io));
    PetscCall(PetscLogEventRegister("FhnkCheckpoint", id, &fk->log.checkpoint));
    PetscCall(PetscLogEventRegister("FhnkLimit", id, &fk->log.limit));
    PetscCall(PetscLogEventRegister("FhnkFusedStage", id, &fk->log.fused));
    PetscCall(PetscLogEventRegister("FhnkNetworkStep", id, &fk->log.network));
    PetscCall(PetscLogStageRegister("fhnk time loop", &fk->log.loop));
  }
  fk->last_checkpoint_step = -1;
  fk->last_print_step      = -1;
  *out = fk;
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkDestroy(Fhnk *fk)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListDestroy(&(*fk)->rho0_list));
  PetscCall(PetscFunctionListDestroy(&(*fk)->psi_list));
  PetscCall(PetscFunctionListDestroy(&(*fk)->init_list));
  PetscCall(PetscFunctionListDestroy(&(*fk)->stim.shapes));
  PetscCall(PetscFree((*fk)->opwork));
  PetscCall(PetscFree((*fk)->snap_t));
  PetscCall(PetscFree((*fk)->snap_pts));
  PetscCall(PetscFree(*fk));
  PetscFunctionReturn(0);
}

static PetscErrorCode ListChoice(Fhnk fk, PetscFunctionList list, const char *opt, const char *value)
{
  void (*fn)(void);
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListFind(list, value, &fn));
  if (!fn) {
    char         names[512] = "";
    const char **arr;
    int          cnt;
    PetscCall(PetscFunctionListGet(list, &arr, &cnt));
    for (int i = 0; i < cnt; i++) {
      PetscCall(PetscStrlcat(names, " ", sizeof(names)));
      PetscCall(PetscStrlcat(names, arr[i], sizeof(names)));
    }
    PetscCall(PetscFree(arr));
    BAD("%s %s is not known; valid choices:%s", opt, value, names);
  }
  PetscFunctionReturn(0);
}

/* ------------------------------------------------------------------------------------------------
   Every option value fhnk reads is checked as a string before any PETSc reader sees it: PETSc's
   own parse errors do not name the option ("Input string abc has no numeric value"), accept nan,
   inf and overflowing values (1e400 is read as inf), keep the default for an option given without
   a value, truncate long strings and drop the entries of an array beyond its capacity. */
typedef enum { OPT_REAL, OPT_INT, OPT_BOOL, OPT_NAME, OPT_PATH, OPT_REALS, OPT_INTS, OPT_NAMES } OptKind;
typedef struct {
  const char *name;
  OptKind     kind;
} OptSpec;

static const OptSpec fhnk_opts[] = {
  {"eps", OPT_REAL}, {"N_coeffs", OPT_REALS}, {"fhn_a", OPT_REAL}, {"fhn_b", OPT_REAL}, {"fhn_c", OPT_REAL},
  {"dim", OPT_INT}, {"nx", OPT_INT}, {"ny", OPT_INT}, {"Lx", OPT_REAL}, {"Ly", OPT_REAL},
  {"rho0_type", OPT_NAME}, {"rho0_amp", OPT_REAL}, {"psi_type", OPT_NAME}, {"psi_J", OPT_REAL}, {"psi_sigma", OPT_REAL},
  {"psi_periodic", OPT_BOOL}, {"psi_grade", OPT_REAL}, {"psi_method", OPT_NAME},
  {"nv", OPT_INT}, {"nw", OPT_INT}, {"vmin", OPT_REAL}, {"vmax", OPT_REAL}, {"wmin", OPT_REAL}, {"wmax", OPT_REAL},
  {"v_muscl_min_cells", OPT_REAL}, {"init", OPT_NAME}, {"init_V0", OPT_REAL}, {"init_V0_amp", OPT_REAL},
  {"init_W0", OPT_REAL}, {"init_W0_amp", OPT_REAL}, {"init_kick", OPT_REAL}, {"init_kick_x", OPT_REAL},
  {"init_kick_width", OPT_REAL}, {"init_var_v", OPT_REAL}, {"init_var_w", OPT_REAL}, {"model", OPT_NAME},
  {"o", OPT_PATH}, {"overwrite", OPT_BOOL}, {"diag_dt", OPT_REAL}, {"checkpoint_dt", OPT_REAL},
  {"checkpoint_walltime", OPT_REAL}, {"checkpoint_keep", OPT_INT}, {"restart", OPT_PATH}, {"moments_q", OPT_REALS},
  {"snapshot_times", OPT_REALS}, {"snapshot_points", OPT_INTS}, {"hopfcole_floor", OPT_REAL}, {"hopfcole_R", OPT_REAL},
  {"progress_interval", OPT_REAL}, {"quiet", OPT_BOOL}, {"strict", OPT_BOOL}, {"force", OPT_BOOL}, {"fhnk_traceback", OPT_BOOL},
  /* read by stimulus.c and network.c (their ranges are checked there) */
  {"stim_amp", OPT_REALS}, {"stim_shape", OPT_NAMES}, {"stim_x", OPT_REALS}, {"stim_y", OPT_REALS}, {"stim_radius", OPT_REALS},
  {"stim_radius_y", OPT_REALS}, {"stim_onset", OPT_REALS}, {"stim_duration", OPT_REALS}, {"stim_period", OPT_REALS},
  {"stim_count", OPT_REALS}, {"network_m", OPT_INT}, {"network_seed", OPT_INT}, {"network_hist", OPT_BOOL},
  {NULL, OPT_REAL}};
/* PETSc's TS options a run of fhnk reads (also with the limit_ prefix of the limit companion) */
static const OptSpec ts_opts[] = {
  {"ts_type", OPT_NAME}, {"ts_fhnkimex_type", OPT_NAME}, {"ts_arkimex_type", OPT_NAME}, {"ts_rk_type", OPT_NAME},
  {"ts_ssp_type", OPT_NAME}, {"ts_ssp_nstages", OPT_INT}, {"ts_adapt_type", OPT_NAME}, {"ts_exact_final_time", OPT_NAME},
  {"ts_max_time", OPT_REAL}, {"ts_dt", OPT_REAL}, {"ts_init_time", OPT_REAL}, {"ts_rtol", OPT_REAL}, {"ts_atol", OPT_REAL},
  {"ts_max_steps", OPT_INT}, {"ts_max_reject", OPT_INT}, {"ts_max_snes_failures", OPT_INT}, {"ts_adapt_safety", OPT_REAL},
  {"ts_adapt_reject_safety", OPT_REAL}, {"ts_adapt_clip", OPT_REALS}, {"ts_adapt_dt_min", OPT_REAL}, {"ts_adapt_dt_max", OPT_REAL},
  {"ts_adapt_max_ignore", OPT_REAL}, {"ts_adapt_scale_solve_failed", OPT_REAL}, {"ts_adapt_time_step_increase_delay", OPT_INT},
  {"ts_adapt_always_accept", OPT_BOOL}, {"ts_adapt_monitor", OPT_BOOL}, {"ts_error_if_step_fails", OPT_BOOL},
  {"ts_monitor_frequency", OPT_INT}, {NULL, OPT_REAL}};

#define FHNK_MAX_LIST 10000000 /* entries of one array option */

/* the longest -o. Every file fhnk writes is DIR/<name>, <name> at most 48 characters (a temporary
   checkpoint .checkpoint-<step>.h5.<id>-<pid>.tmp); Open MPI's MPI-IO (ompio) copies
   "FILE.locktest.RANK" into a 256-byte buffer in every MPI_File_open (sharedfp/lockedfile) and
   aborts the process beyond it ("buffer overflow detected") */
#if defined(OPEN_MPI) && OPEN_MPI
  #define FHNK_OUTDIR_MAX 180
  #define FHNK_OUTDIR_WHY "Open MPI's MPI-IO cannot open longer file names"
#else
  #define FHNK_OUTDIR_MAX (PETSC_MAX_PATH_LEN - 128)
  #define FHNK_OUTDIR_WHY "with room for the file names in it, the system's limit"
#endif
#define FHNK_RESTART_MAX (PETSC_MAX_PATH_LEN - 128)

/* a value as it may be quoted in a one-line message: printable, at most 40 characters */
static const char *Shown(const char *s, char *buf, size_t n)
{
  size_t i, k = 0;
  if (!s) s = "";
  for (i = 0; s[i] && k + 4 < n && k < 40; i++) buf[k++] = isprint((unsigned char)s[i]) ? s[i] : '?';
  buf[k] = 0;
  if (s[i]) strcat(buf, "...");
  return buf;
}

/* 0: a finite double; 1: not a number; 2: nan or inf; 3: overflows or underflows a double */
static int ParseReal(const char *s, PetscReal *x)
{
  char  *end;
  double d;
  if (!s || !*s) return 1;
  errno = 0;
  d     = strtod(s, &end);
  if (end == s || *end) return 1;
  if (errno == ERANGE) return 3;
  if (isnan(d) || isinf(d)) return 2;
  *x = (PetscReal)d;
  return 0;
}

/* 0: an integer that fits a PetscInt; 1: not an integer; 3: out of range */
static int ParseInt(const char *s, PetscInt *v)
{
  char     *end;
  long long x;
  if (!s || !*s) return 1;
  errno = 0;
  x     = strtoll(s, &end, 10);
  if (end == s || *end) return 1;
  if (errno == ERANGE || x > PETSC_MAX_INT || x < PETSC_MIN_INT) return 3;
  *v = (PetscInt)x;
  return 0;
}

static PetscErrorCode BadNumber(Fhnk fk, const char *name, const char *entry, const char *s, int why, PetscBool integer)
{
  char sh[64];
  PetscFunctionBeginUser;
  Shown(s, sh, sizeof(sh));
  if (why == 1) BAD("-%s: %s'%s' is not %s", name, entry, sh, integer ? "an integer" : "a number");
  else if (why == 2) BAD("-%s: %s'%s' is not a finite number", name, entry, sh);
  else if (integer) BAD("-%s: %s'%s' is out of range (integers from %lld to %lld)", name, entry, sh, (long long)PETSC_MIN_INT, (long long)PETSC_MAX_INT);
  else BAD("-%s: %s'%s' is out of the range of double precision numbers (magnitude 1e-307 to 1e308, or 0)", name, entry, sh);
  PetscFunctionReturn(0);
}

/* A comma-separated list (reals or integers; integers may be PETSc's ranges a-b and a-b:step,
   meaning a, a+step, .. < b). Counts the entries into *n, and stores them into xr or xi when not
   NULL; *ok is false (and the problem reported) on the first bad entry. */
static PetscErrorCode ParseList(Fhnk fk, const char *name, const char *s, PetscBool integer, PetscReal *xr, PetscInt *xi, PetscInt *n, PetscBool *ok)
{
  char  buf[256], what[64];
  int   k = 0;
  PetscFunctionBeginUser;
  *n  = 0;
  *ok = PETSC_FALSE;
  if (!s || !*s) {
    BAD("-%s needs a value (a comma-separated list)", name);
    PetscFunctionReturn(0);
  }
  for (const char *p = s;; k++) {
    const char *c   = strchr(p, ',');
    size_t      len = c ? (size_t)(c - p) : strlen(p);
    snprintf(what, sizeof(what), "entry %d ", k + 1);
    if (!len) {
      BAD("-%s: entry %d is empty (write the values separated by commas, without spaces)", name, k + 1);
      PetscFunctionReturn(0);
    }
    if (len >= sizeof(buf)) {
      PetscCall(BadNumber(fk, name, what, p, 1, integer));
      PetscFunctionReturn(0);
    }
    memcpy(buf, p, len);
    buf[len] = 0;
    if (integer) {
      PetscInt a, b = 0, step = 1;
      char    *dash = strchr(buf + (buf[0] == '-' ? 1 : 0), '-'), *colon = strchr(buf, ':');
      int      why;
      if (dash) { /* a range */
        *dash = 0;
        if (colon) *colon = 0;
        why = ParseInt(buf, &a);
        if (!why) why = ParseInt(dash + 1, &b);
        if (!why && colon) why = ParseInt(colon + 1, &step);
        if (why) {
          memcpy(buf, p, len);
          buf[len] = 0;
          PetscCall(BadNumber(fk, name, what, buf, why, PETSC_TRUE));
          PetscFunctionReturn(0);
        }
        if (step < 1 || b <= a) {
          memcpy(buf, p, len);
          buf[len] = 0;
          BAD("-%s: entry %d ('%s') is an empty range: a-b means a, a+1, .., b-1 (a-b:s: steps of s >= 1)", name, k + 1, Shown(buf, what, sizeof(what)));
          PetscFunctionReturn(0);
        }
        for (PetscInt v = a; v < b; v += step) {
          if (*n >= FHNK_MAX_LIST) {
            BAD("-%s: more than %d entries", name, FHNK_MAX_LIST);
            PetscFunctionReturn(0);
          }
          if (xi) xi[*n] = v;
          (*n)++;
          if (v > PETSC_MAX_INT - step) break;
        }
      } else {
        PetscInt v = 0;
        if ((why = ParseInt(buf, &v))) {
          PetscCall(BadNumber(fk, name, what, buf, why, PETSC_TRUE));
          PetscFunctionReturn(0);
        }
        if (xi) xi[*n] = v;
        (*n)++;
      }
    } else {
      PetscReal v = 0;
      int       why;
      if ((why = ParseReal(buf, &v))) {
        PetscCall(BadNumber(fk, name, what, buf, why, PETSC_FALSE));
        PetscFunctionReturn(0);
      }
      if (xr) xr[*n] = v;
      (*n)++;
    }
    if (*n > FHNK_MAX_LIST) {
      BAD("-%s: more than %d entries", name, FHNK_MAX_LIST);
      PetscFunctionReturn(0);
    }
    if (!c) break;
    p = c + 1;
  }
  *ok = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* A path option: present, and short enough for every file name fhnk derives from it */
static PetscErrorCode CheckPath(Fhnk fk, const char *name, const char *s, size_t max, const char *why)
{
  char   sh[64];
  size_t len = s ? strlen(s) : 0, comp = 0;
  PetscFunctionBeginUser;
  if (!len) {
    BAD("-%s needs a value (%s)", name, !strcmp(name, "o") ? "a directory name" : "a checkpoint file, or latest");
    PetscFunctionReturn(0);
  }
  if (len > max) {
    BAD("-%s: the path '%s' has %zu characters, more than %zu (%s): use a shorter one (e.g. relative to the working directory, or a symbolic link)", name, Shown(s, sh, sizeof(sh)), len, max, why);
    PetscFunctionReturn(0);
  }
  for (size_t i = 0; i <= len; i++) {
    if (s[i] == '/' || !s[i]) {
      if (comp > NAME_MAX) {
        BAD("-%s: the path '%s' has a component of %zu characters, more than the system's %d", name, Shown(s, sh, sizeof(sh)), comp, NAME_MAX);
        PetscFunctionReturn(0);
      }
      comp = 0;
    } else comp++;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckValue(Fhnk fk, const char *name, OptKind kind, const char *value)
{
  char sh[64];
  int  why;
  PetscFunctionBeginUser;
  if (kind == OPT_BOOL) {
    static const char *const words[] = {"true", "false", "yes", "no", "1", "0", "on", "off", NULL};
    PetscBool                ok      = (PetscBool)(!value || !*value);
    for (const char *const *w = words; *w && !ok; w++) ok = (PetscBool)!strcasecmp(value, *w);
    if (!ok) BAD("-%s: '%s' is not a truth value (true, false, yes, no, 1, 0, on, off)", name, Shown(value, sh, sizeof(sh)));
    PetscFunctionReturn(0);
  }
  if (value && kind != OPT_REAL && kind != OPT_INT && kind != OPT_BOOL)
    for (const char *c = value; *c; c++)
      if (iscntrl((unsigned char)*c)) {
        BAD("-%s: '%s' contains a control character (a newline?)", name, Shown(value, sh, sizeof(sh)));
        PetscFunctionReturn(0);
      }
  if (kind == OPT_PATH) {
    PetscCall(CheckPath(fk, name, value, !strcmp(name, "o") ? (size_t)FHNK_OUTDIR_MAX : (size_t)FHNK_RESTART_MAX, !strcmp(name, "o") ? FHNK_OUTDIR_WHY : "the system's limit"));
    PetscFunctionReturn(0);
  }
  if (!value || !*value) {
    BAD("-%s needs a value", name);
    PetscFunctionReturn(0);
  }
  switch (kind) {
  case OPT_REAL: {
    PetscReal x;
    if ((why = ParseReal(value, &x))) PetscCall(BadNumber(fk, name, "", value, why, PETSC_FALSE));
  } break;
  case OPT_INT: {
    PetscInt v;
    if ((why = ParseInt(value, &v))) PetscCall(BadNumber(fk, name, "", value, why, PETSC_TRUE));
  } break;
  case OPT_NAME:
    if (strlen(value) >= FHNK_NAME_LEN) BAD("-%s: '%s' is too long (at most %d characters) to be a valid choice", name, Shown(value, sh, sizeof(sh)), FHNK_NAME_LEN - 1);
    break;
  case OPT_REALS:
  case OPT_INTS: {
    PetscInt  n;
    PetscBool ok;
    PetscCall(ParseList(fk, name, value, (PetscBool)(kind == OPT_INTS), NULL, NULL, &n, &ok));
  } break;
  case OPT_NAMES:
    for (const char *p = value; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
      if (*p == ',' || !*p) {
        BAD("-%s: an entry is empty (write the values separated by commas, without spaces)", name);
        break;
      }
    break;
  default:
    break;
  }
  PetscFunctionReturn(0);
}

static const OptSpec *FindSpec(const char *name)
{
  for (const OptSpec *s = fhnk_opts; s->name; s++)
    if (!strcasecmp(name, s->name)) return s;
  if (!strncasecmp(name, "limit_", 6)) name += 6;
  for (const OptSpec *s = ts_opts; s->name; s++)
    if (!strcasecmp(name, s->name)) return s;
  return NULL;
}

/* the value given for an option (NULL: given without a value); *given false when absent */
static PetscErrorCode OptionValue(PetscInt n, char **names, char **values, const char *name, const char **value, PetscBool *given)
{
  PetscFunctionBeginUser;
  *value = NULL;
  *given = PETSC_FALSE;
  for (PetscInt i = 0; i < n; i++)
    if (!strcasecmp(names[i], name)) {
      *value = values[i];
      *given = PETSC_TRUE;
    }
  PetscFunctionReturn(0);
}

/* A real list option into x (capacity cap, at most max allowed): the count in *n, *set if given */
static PetscErrorCode ReadList(Fhnk fk, PetscInt nopt, char **names, char **values, const char *name, PetscBool integer, PetscReal **xr, PetscInt **xi, PetscInt *n, PetscBool *set)
{
  const char *value;
  PetscBool   ok;
  PetscFunctionBeginUser;
  *n = 0;
  PetscCall(OptionValue(nopt, names, values, name, &value, set));
  if (!*set) PetscFunctionReturn(0);
  PetscCall(ParseList(fk, name, value, integer, NULL, NULL, n, &ok));
  if (!ok) PetscFunctionReturn(0);
  if (integer) PetscCall(PetscMalloc1(*n + 1, xi));
  else PetscCall(PetscMalloc1(*n + 1, xr));
  PetscCall(ParseList(fk, name, value, integer, integer ? NULL : *xr, integer ? *xi : NULL, n, &ok));
  PetscFunctionReturn(0);
}

/* PETSc's TSAdapt refuses some values only once TSSetFromOptions runs (on every rank at once,
   without naming the option), and accepts negative tolerances: checked here, for the run's TS and
   the limit companion's (limit_ prefix). Types other than none, basic and dsp do not work with
   fhnk's steppers (cfl, history, glee fail in the first step). */
static PetscErrorCode CheckTSValues(Fhnk fk, PetscInt nopt, char **names, char **values)
{
  const char *prefixes[] = {"", "limit_"};
  PetscFunctionBeginUser;
  for (int k = 0; k < 2; k++) {
    char        nm[64];
    const char *v;
    PetscBool   set;
    PetscReal   x, dtmin = 1e-20, dtmax = 1e20;
#define GETREAL(opt) (snprintf(nm, sizeof(nm), "%s" opt, prefixes[k]), OptionValue(nopt, names, values, nm, &v, &set), set && !ParseReal(v, &x))
    /* tolerances: 0, or above what double precision resolves (an unreachable one makes the
       controller shrink the step until it underflows) */
    if (GETREAL("ts_rtol") && !(x == 0 || x >= 1e-14)) BAD("-%s must be 0 or >= 1e-14 (got %g)", nm, (double)x);
    if (GETREAL("ts_atol") && !(x == 0 || x >= 1e-14)) BAD("-%s must be 0 or >= 1e-14 (got %g)", nm, (double)x);
    if (GETREAL("ts_adapt_dt_min")) {
      if (x < 0) BAD("-%s must be >= 0 (got %g)", nm, (double)x);
      dtmin = x;
    }
    if (GETREAL("ts_adapt_dt_max")) {
      if (!(x > 0)) BAD("-%s must be > 0 (got %g)", nm, (double)x);
      dtmax = x;
    }
    if (!(dtmin < dtmax) && dtmin >= 0 && dtmax > 0) BAD("-%sts_adapt_dt_min %g must be below -%sts_adapt_dt_max %g", prefixes[k], (double)dtmin, prefixes[k], (double)dtmax);
    if (GETREAL("ts_adapt_safety") && !(x >= 0 && x <= 1)) BAD("-%s must be in [0, 1] (got %g)", nm, (double)x);
    if (GETREAL("ts_adapt_reject_safety") && !(x >= 0 && x <= 1)) BAD("-%s must be in [0, 1] (got %g)", nm, (double)x);
    if (GETREAL("ts_adapt_scale_solve_failed") && !(x > 0 && x <= 1)) BAD("-%s must be in (0, 1] (got %g)", nm, (double)x);
#undef GETREAL
    snprintf(nm, sizeof(nm), "%sts_adapt_clip", prefixes[k]);
    PetscCall(OptionValue(nopt, names, values, nm, &v, &set));
    if (set && v) {
      PetscReal c[2] = {0, 0};
      PetscInt  n    = 0;
      PetscBool ok;
      PetscCall(ParseList(fk, nm, v, PETSC_FALSE, NULL, NULL, &n, &ok));
      if (ok && n == 2) PetscCall(ParseList(fk, nm, v, PETSC_FALSE, c, NULL, &n, &ok));
      if (ok && !(n == 2 && c[0] >= 0 && c[0] <= 1 && c[1] >= 1)) {
        char sh[64];
        BAD("-%s needs two factors: a decrease in [0, 1] and an increase >= 1 (got %s)", nm, Shown(v, sh, sizeof(sh)));
      }
    }
    snprintf(nm, sizeof(nm), "%sts_adapt_type", prefixes[k]);
    PetscCall(OptionValue(nopt, names, values, nm, &v, &set));
    if (set && v && strcasecmp(v, "none") && strcasecmp(v, "basic") && strcasecmp(v, "dsp")) {
      char sh[64];
      BAD("-%s %s is not supported: use none, basic or dsp", nm, Shown(v, sh, sizeof(sh)));
    }
  }
  PetscFunctionReturn(0);
}

/* Memory a run needs per rank, estimated before anything is allocated, against the physical
   memory of the node shared by the ranks on it: refused with the estimate rather than dying in
   the allocator halfway through the set-up */
static PetscErrorCode CheckMemory(Fhnk fk)
{
  const FhnkSpace *sp = &fk->space;
  const FhnkPhase *ph = &fk->ph;
  MPI_Comm         node;
  PetscMPIInt      nnode;
  double           phys, per_rank, npts, nloc, bytes, state = 0, net = 0, psi = 0;
  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_split_type(fk->comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
  PetscCallMPI(MPI_Comm_size(node, &nnode));
  PetscCallMPI(MPI_Comm_free(&node));
  phys = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
  if (!(phys > 0)) PetscFunctionReturn(0);
  per_rank = phys / nnode;
  npts     = (double)sp->nx * (sp->dim == 2 ? (double)sp->ny : 1.0);
  nloc     = PetscCeilReal(npts / fk->size);
  bytes    = nloc * 512.0; /* fields of K, the limit system, the coupling's vectors */
  if (fk->kind == FHNK_MODEL_KINETIC) {
    /* the state f and the stage vectors of the stepper (count 8), the line-solve data, and on
       rank 0 the snapshots gathered there */
    state = nloc * (double)ph->nv * (double)ph->nw * 8.0 * 8.0 + nloc * 5.0 * ph->nv * 8.0 + 16.0 * fk->nsnap_pts * (double)ph->nv * (double)ph->nw;
    bytes += state;
  } else if (fk->kind == FHNK_MODEL_NETWORK) {
    net = (double)fk->net.m / fk->size * 8.0 * 8.0; /* v, w, the noise and work arrays of every neuron */
    bytes += net;
  }
  if (bytes <= per_rank) { /* the Psi matrix, when the coupling will be one (its nonzeros from the kernel's reach) */
    FhnkKernel k;
    PetscBool  found, mat, isauto;
    PetscCall(FhnkCouplingKernelInfo(fk, sp->psi_type, &k, &found));
    PetscCall(PetscStrcmp(fk->cpl.method, "matrix", &mat));
    PetscCall(PetscStrcmp(fk->cpl.method, "auto", &isauto));
    if (found && k.support > 0 && (mat || (isauto && !k.invariant))) {
      PetscReal cm, cf, nnz;
      PetscCall(FhnkCouplingCosts(fk, &cm, &cf, &nnz));
      psi = nnz * (sizeof(PetscReal) + sizeof(PetscInt)) / fk->size;
      bytes += psi;
    }
  }
  if (bytes > per_rank) {
    char what[256];
    if (psi > state && psi > net) snprintf(what, sizeof(what), "the Psi matrix of -psi_type %s on %.0f points of K: %.3g GB per rank", sp->psi_type, npts, psi / 1e9);
    else if (state > 0) snprintf(what, sizeof(what), "-nv %lld x -nw %lld cells at each of %.0f points of K per rank, 8 bytes x 8 vectors", (long long)ph->nv, (long long)ph->nw, nloc);
    else if (net > 0) snprintf(what, sizeof(what), "-network_m %lld neurons, %.0f per rank", (long long)fk->net.m, (double)fk->net.m / fk->size);
    else snprintf(what, sizeof(what), "-nx/-ny: %.0f points of K per rank", nloc);
    BAD("the run needs about %.3g GB of memory per rank (%s), more than the %.3g GB per rank of this node (%.3g GB shared by %d rank%s): use a smaller grid, or more nodes", bytes / 1e9, what, per_rank / 1e9, phys / 1e9, (int)nnode, nnode > 1 ? "s" : "");
  }
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkProcessOptions(Fhnk fk)
{
  FhnkModel *m  = &fk->model;
  FhnkSpace *sp = &fk->space;
  FhnkPhase *ph = &fk->ph;
  FhnkInit  *in = &fk->init;
  PetscInt   nopt, nN = 0, nq = 0;
  char     **names, **values, shown[4096];
  PetscReal *Nc = NULL, *qv = NULL;
  PetscBool  setN, setq, sett, setp, force = PETSC_FALSE;

  PetscFunctionBeginUser;
  /* defaults: the 'concentration' scenario of the paper, small enough for a workstation */
  m->eps = 1e-2;
  m->nN  = 4;
  m->N[0] = 0; m->N[1] = 1; m->N[2] = 0; m->N[3] = -1;
  m->a = 0.1; m->b = 0.08; m->c = 0;
  sp->dim = 1; sp->nx = 32; sp->ny = 32; sp->Lx = 1; sp->Ly = 1;
  PetscCall(PetscStrncpy(sp->rho0_type, "uniform", FHNK_NAME_LEN));
  sp->rho0_amp = 0.5;
  PetscCall(PetscStrncpy(sp->psi_type, "gaussian", FHNK_NAME_LEN));
  sp->psi_J = 1; sp->psi_sigma = 0.1; sp->psi_periodic = PETSC_FALSE; sp->psi_grade = 0.5;
  PetscCall(PetscStrncpy(fk->cpl.method, "auto", FHNK_NAME_LEN));
  ph->nv = 128; ph->nw = 48; ph->vmin = -1.6; ph->vmax = 1.6; ph->wmin = -4.5; ph->wmax = 4.5;
  PetscCall(PetscStrncpy(in->type, "concentrated", FHNK_NAME_LEN));
  in->V0 = 0.5; in->V0amp = 0.5; in->W0 = 0; in->W0amp = 0; in->var_v = 0.1; in->var_w = 0.5;
  in->kick = 0; in->kick_x = 0; in->kick_width = 0.05;
  PetscCall(PetscStrncpy(fk->modeltype, "kinetic", FHNK_NAME_LEN));
  PetscCall(PetscStrncpy(fk->outdir, "out", sizeof(fk->outdir)));
  fk->restart[0] = 0;
  fk->diag_dt = 0.1; fk->checkpoint_dt = 0; fk->checkpoint_walltime = 0; fk->checkpoint_keep = 2;
  fk->progress_interval = 5; fk->hopfcole_R = 1.5; fk->hopfcole_floor = 1e-30; fk->v_muscl_min_cells = 1.5;

  /* every value of fhnk's options (and of the TS options it relies on) as a string first: all
     problems are reported, and none reaches a PETSc reader (options used before this point, such
     as PETSc's own, are not in the list) */
  PetscCall(PetscOptionsLeftGet(NULL, &nopt, &names, &values));
  for (PetscInt i = 0; i < nopt; i++) {
    const OptSpec *spec = FindSpec(names[i]);
    if (spec) PetscCall(CheckValue(fk, names[i], spec->kind, values[i]));
  }
  if (!fk->bad_input) { /* the arrays, whole (no fixed capacity silently drops entries) */
    PetscCall(ReadList(fk, nopt, names, values, "N_coeffs", PETSC_FALSE, &Nc, NULL, &nN, &setN));
    PetscCall(ReadList(fk, nopt, names, values, "moments_q", PETSC_FALSE, &qv, NULL, &nq, &setq));
    PetscCall(ReadList(fk, nopt, names, values, "snapshot_times", PETSC_FALSE, &fk->snap_t, NULL, &fk->nsnap, &sett));
    PetscCall(ReadList(fk, nopt, names, values, "snapshot_points", PETSC_TRUE, NULL, &fk->snap_pts, &fk->nsnap_pts, &setp));
  }
  if (!fk->bad_input) PetscCall(CheckTSValues(fk, nopt, names, values));
  PetscCall(PetscOptionsLeftRestore(NULL, &nopt, &names, &values));
  if (fk->bad_input) goto end;
  if (setN) {
    if (nN > FHNK_MAX_POLY) BAD("-N_coeffs has %d coefficients: at most %d (degree %d)", (int)nN, FHNK_MAX_POLY, FHNK_MAX_POLY - 1);
    else {
      m->nN = nN;
      for (PetscInt k = 0; k < nN; k++) m->N[k] = Nc[k];
    }
  }
  if (setq) {
    if (nq > FHNK_MAX_POLY) BAD("-moments_q has %d values: at most %d", (int)nq, FHNK_MAX_POLY);
    else {
      fk->nq = nq;
      for (PetscInt k = 0; k < nq; k++) fk->q[k] = qv[k];
    }
  }

  PetscOptionsBegin(fk->comm, NULL, "fhnk: kinetic FitzHugh-Nagumo equation (1.4) with strong local coupling", "fhnk");
  PetscCall(PetscOptionsReal("-eps", "local coupling strength is 1/eps (> 0)", "", m->eps, &m->eps, NULL));
  /* the arrays were read above; shown here as strings, so that -help gives their whole default */
  PetscCall(PetscOptionsString("-N_coeffs", "drift N(v) = c0 + c1 v + c2 v^2 + ... (at most 16 coefficients), default v - v^3 (confining: odd degree, negative leading term; or linear with a nonzero slope)", "", "0,1,0,-1", shown, sizeof(shown), NULL));
  PetscCall(PetscOptionsReal("-fhn_a", "A(v,w) = a v - b w + c: a", "", m->a, &m->a, NULL));
  PetscCall(PetscOptionsReal("-fhn_b", "A(v,w): b (> 0)", "", m->b, &m->b, NULL));
  PetscCall(PetscOptionsReal("-fhn_c", "A(v,w): c", "", m->c, &m->c, NULL));
  PetscCall(PetscOptionsInt("-dim", "dimension of the spatial domain K (1 or 2)", "", sp->dim, &sp->dim, NULL));
  PetscCall(PetscOptionsInt("-nx", "cells of K in x (>= 1)", "", sp->nx, &sp->nx, NULL));
  PetscCall(PetscOptionsInt("-ny", "cells of K in y, 2-D only (>= 1)", "", sp->ny, &sp->ny, NULL));
  PetscCall(PetscOptionsReal("-Lx", "length of K in x (> 0)", "", sp->Lx, &sp->Lx, NULL));
  PetscCall(PetscOptionsReal("-Ly", "length of K in y (> 0)", "", sp->Ly, &sp->Ly, NULL));
  PetscCall(PetscOptionsString("-rho0_type", "neuron density rho0(x): uniform | cosine", "", sp->rho0_type, sp->rho0_type, FHNK_NAME_LEN, NULL));
  PetscCall(PetscOptionsReal("-rho0_amp", "cosine rho0: amplitude A in (-1, 1)", "", sp->rho0_amp, &sp->rho0_amp, NULL));
  PetscCall(PetscOptionsString("-psi_type", "long-range kernel Psi: gaussian | tophat | graded (a Gaussian whose width varies along x1: not translation invariant) | none", "", sp->psi_type, sp->psi_type, FHNK_NAME_LEN, NULL));
  PetscCall(PetscOptionsReal("-psi_J", "kernel strength J", "", sp->psi_J, &sp->psi_J, NULL));
  PetscCall(PetscOptionsReal("-psi_sigma", "kernel width s (> 0)", "", sp->psi_sigma, &sp->psi_sigma, NULL));
  PetscCall(PetscOptionsBool("-psi_periodic", "kernel on a torus (nearest periodic image)", "", sp->psi_periodic, &sp->psi_periodic, NULL));
  PetscCall(PetscOptionsReal("-psi_grade", "graded kernel: width sigma (1 + g (x1/Lx - 1/2)), g in (-2, 2)", "", sp->psi_grade, &sp->psi_grade, NULL));
  PetscCall(PetscOptionsString("-psi_method", "Psi convolution: auto (by a cost model), fft (FFTW-MPI, O(N log N)), matrix (sparse, O(N x support)), replicated (serial FFT on every rank: the same bits on any rank count)", "", fk->cpl.method, fk->cpl.method, FHNK_NAME_LEN, NULL));
  PetscCall(PetscOptionsInt("-nv", "cells in v (>= 4)", "", ph->nv, &ph->nv, NULL));
  PetscCall(PetscOptionsInt("-nw", "cells in w (>= 4)", "", ph->nw, &ph->nw, NULL));
  PetscCall(PetscOptionsReal("-vmin", "lower end of the v box", "", ph->vmin, &ph->vmin, NULL));
  PetscCall(PetscOptionsReal("-vmax", "upper end of the v box (> vmin)", "", ph->vmax, &ph->vmax, NULL));
  PetscCall(PetscOptionsReal("-wmin", "lower end of the w box", "", ph->wmin, &ph->wmin, NULL));
  PetscCall(PetscOptionsReal("-wmax", "upper end of the w box (> wmin)", "", ph->wmax, &ph->wmax, NULL));
  PetscCall(PetscOptionsReal("-v_muscl_min_cells", "v-transport is second order (MUSCL) where sqrt(eps/rho0) spans at least this many v-cells, exact-moment donor cell below (>= 0)", "", fk->v_muscl_min_cells, &fk->v_muscl_min_cells, NULL));
  PetscCall(PetscOptionsString("-init", "initial data: gaussian | concentrated", "", in->type, in->type, FHNK_NAME_LEN, NULL));
  PetscCall(PetscOptionsReal("-init_V0", "V0(x) = m + A sin(2 pi x/Lx): m", "", in->V0, &in->V0, NULL));
  PetscCall(PetscOptionsReal("-init_V0_amp", "V0(x): A", "", in->V0amp, &in->V0amp, NULL));
  PetscCall(PetscOptionsReal("-init_W0", "W0(x) = m + A sin(2 pi x/Lx): m", "", in->W0, &in->W0, NULL));
  PetscCall(PetscOptionsReal("-init_W0_amp", "W0(x): A", "", in->W0amp, &in->W0amp, NULL));
  PetscCall(PetscOptionsReal("-init_kick", "local kick added to V0: A exp(-(x1 - x0)^2/(2 s^2)), amplitude A", "", in->kick, &in->kick, NULL));
  PetscCall(PetscOptionsReal("-init_kick_x", "kick position x0", "", in->kick_x, &in->kick_x, NULL));
  PetscCall(PetscOptionsReal("-init_kick_width", "kick width s (> 0)", "", in->kick_width, &in->kick_width, NULL));
  PetscCall(PetscOptionsReal("-init_var_v", "gaussian data: variance in v (> 0)", "", in->var_v, &in->var_v, NULL));
  PetscCall(PetscOptionsReal("-init_var_w", "variance in w (> 0)", "", in->var_w, &in->var_w, NULL));
  PetscCall(PetscOptionsString("-model", "kinetic (1.4), limit (1.9) alone, or network (the m-neuron system, -network_*)", "", fk->modeltype, fk->modeltype, FHNK_NAME_LEN, NULL));
  {
    char ohelp[160];
    snprintf(ohelp, sizeof(ohelp), "output directory (a path of at most %d characters)", (int)FHNK_OUTDIR_MAX);
    PetscCall(PetscOptionsString("-o", ohelp, "", fk->outdir, fk->outdir, sizeof(fk->outdir), NULL));
  }
  PetscCall(PetscOptionsBool("-overwrite", "allow a new run to replace results already in -o DIR", "", fk->overwrite, &fk->overwrite, NULL));
  PetscCall(PetscOptionsReal("-diag_dt", "model time between diagnostic samples (0: start and end only; at most 1e7 samples without -force)", "", fk->diag_dt, &fk->diag_dt, NULL));
  PetscCall(PetscOptionsReal("-checkpoint_dt", "model time between checkpoints (0: off; one is always written at the end; at most 1e7 without -force)", "", fk->checkpoint_dt, &fk->checkpoint_dt, NULL));
  PetscCall(PetscOptionsReal("-checkpoint_walltime", "wall seconds between checkpoints (0: off)", "", fk->checkpoint_walltime, &fk->checkpoint_walltime, NULL));
  PetscCall(PetscOptionsInt("-checkpoint_keep", "checkpoints kept in DIR (>= 1)", "", fk->checkpoint_keep, &fk->checkpoint_keep, NULL));
  PetscCall(PetscOptionsString("-restart", "continue from a checkpoint file, or 'latest' in -o DIR", "", fk->restart, fk->restart, sizeof(fk->restart), NULL));
  PetscCall(PetscOptionsString("-moments_q", "also write D_q = <|v-V|^q> and M_q = <|u|^q> (2.2) for these q in (0, 100] (at most 16, distinct), as /moments/Dq, /moments/Mq", "", "none", shown, sizeof(shown), NULL));
  PetscCall(PetscOptionsString("-snapshot_times", "write f and the Hopf-Cole phi on the (v,w) grid at these times (increasing, in [0, T]) to DIR/snapshots.h5", "", "none", shown, sizeof(shown), NULL));
  PetscCall(PetscOptionsString("-snapshot_points", "points of K (natural indices ix + nx iy, distinct; ranges a-b as in PETSc) of the snapshots (default: first and middle)", "", "first,middle", shown, sizeof(shown), NULL));
  PetscCall(PetscOptionsReal("-hopfcole_floor", "Hopf-Cole H uses cells with f above this fraction of the peak of f at that point (0, 1)", "", fk->hopfcole_floor, &fk->hopfcole_floor, NULL));
  PetscCall(PetscOptionsReal("-hopfcole_R", "Hopf-Cole H is reduced over |u| <= R (> 0)", "", fk->hopfcole_R, &fk->hopfcole_R, NULL));
  PetscCall(PetscOptionsReal("-progress_interval", "wall seconds between progress lines (0: none)", "", fk->progress_interval, &fk->progress_interval, NULL));
  PetscCall(PetscOptionsBool("-quiet", "no progress lines", "", fk->quiet, &fk->quiet, NULL));
  PetscCall(PetscOptionsBool("-strict", "unused or misspelt options are an error", "", fk->strict, &fk->strict, NULL));
  PetscCall(PetscOptionsBool("-force", "run even beyond the bounds against runs that never end: 1e9 time steps (-ts_max_time / -ts_dt), 1e7 samples (-diag_dt), checkpoints (-checkpoint_dt) or stimulus switchings", "", force, &force, NULL));
  PetscCall(PetscOptionsString("-ts_type", "time stepping: fhnkimex (default: fused IMEX, -ts_fhnkimex_type), arkimex (PETSc's IMEX on the same split, -ts_arkimex_type), or the explicit euler, rk, ssp; the other types PETSc lists under 'Time stepping (TS) options' are refused", "", "fhnkimex", shown, sizeof(shown), NULL));
  PetscOptionsEnd();
  PetscCall(FhnkStimOptions(fk));
  PetscCall(FhnkNetworkOptions(fk));

  /* checks: every one names the option and the valid range */
  if (!(m->eps > 0)) BAD("-eps must be > 0 (got %g)", (double)m->eps);
  if (!(m->b > 0)) BAD("-fhn_b must be > 0 (got %g)", (double)m->b);
  if (sp->dim != 1 && sp->dim != 2) BAD("-dim must be 1 or 2 (got %" PetscInt_FMT ")", sp->dim);
  if (sp->nx < 1) BAD("-nx must be >= 1 (got %" PetscInt_FMT ")", sp->nx);
  if (sp->ny < 1) BAD("-ny must be >= 1 (got %" PetscInt_FMT ")", sp->ny);
  if (sp->nx >= 1 && sp->ny >= 1) {
    const double np = (double)sp->nx * (sp->dim == 2 ? (double)sp->ny : 1.0);
    if (np > (double)PETSC_MAX_INT) BAD("-nx %" PetscInt_FMT " x -ny %" PetscInt_FMT " = %.0f points of K: more than %lld, the largest index of this PETSc build", sp->nx, sp->ny, np, (long long)PETSC_MAX_INT);
    else if (np < fk->size) BAD("K has %.0f points but there are %d MPI ranks: use at least as many points (-nx, -ny) as ranks", np, fk->size);
  }
  if (!(sp->Lx > 0)) BAD("-Lx must be > 0 (got %g)", (double)sp->Lx);
  if (sp->dim == 2 && !(sp->Ly > 0)) BAD("-Ly must be > 0 (got %g)", (double)sp->Ly);
  PetscCall(ListChoice(fk, fk->rho0_list, "-rho0_type", sp->rho0_type));
  PetscCall(ListChoice(fk, fk->psi_list, "-psi_type", sp->psi_type));
  PetscCall(ListChoice(fk, fk->init_list, "-init", in->type));
  if (!(sp->rho0_amp > -1 && sp->rho0_amp < 1)) BAD("-rho0_amp must be in (-1, 1) so that rho0 > 0 (got %g)", (double)sp->rho0_amp);
  if (!(sp->psi_sigma > 0)) BAD("-psi_sigma (kernel width) must be > 0 (got %g)", (double)sp->psi_sigma);
  if (!(sp->psi_grade > -2 && sp->psi_grade < 2)) BAD("-psi_grade must be in (-2, 2) so that the kernel width stays positive (got %g)", (double)sp->psi_grade);
  {
    PetscBool ok;
    PetscCall(PetscStrInList(fk->cpl.method, "auto,fft,matrix,replicated", ',', &ok));
    if (!ok) BAD("-psi_method %s is not known; valid choices: auto fft matrix replicated", fk->cpl.method);
    else {
      FhnkKernel k;
      PetscBool  found, fft, rep;
      PetscCall(FhnkCouplingKernelInfo(fk, sp->psi_type, &k, &found));
      PetscCall(PetscStrcmp(fk->cpl.method, "fft", &fft));
      PetscCall(PetscStrcmp(fk->cpl.method, "replicated", &rep));
      if (found && !k.invariant && (fft || rep)) BAD("-psi_method %s needs a kernel of x - x' only; -psi_type %s is not translation invariant: use -psi_method matrix (or auto)", fk->cpl.method, sp->psi_type);
    }
  }
  if (ph->nv < 4) BAD("-nv must be >= 4 (got %" PetscInt_FMT ")", ph->nv);
  if (ph->nw < 4) BAD("-nw must be >= 4 (got %" PetscInt_FMT ")", ph->nw);
  if (!(ph->vmin < ph->vmax)) BAD("-vmin must be < -vmax (got %g, %g)", (double)ph->vmin, (double)ph->vmax);
  else if (!PetscIsNormalReal((ph->vmax - ph->vmin) / PetscMax(ph->nv, 1)) || (ph->vmax - ph->vmin) < 1e-12 * PetscMax(PetscAbsReal(ph->vmin), PetscAbsReal(ph->vmax))) BAD("-vmin %g -vmax %g: the v box must have a finite width that its -nv cells can resolve in double precision", (double)ph->vmin, (double)ph->vmax);
  if (!(ph->wmin < ph->wmax)) BAD("-wmin must be < -wmax (got %g, %g)", (double)ph->wmin, (double)ph->wmax);
  else if (!PetscIsNormalReal((ph->wmax - ph->wmin) / PetscMax(ph->nw, 1)) || (ph->wmax - ph->wmin) < 1e-12 * PetscMax(PetscAbsReal(ph->wmin), PetscAbsReal(ph->wmax))) BAD("-wmin %g -wmax %g: the w box must have a finite width that its -nw cells can resolve in double precision", (double)ph->wmin, (double)ph->wmax);
  if (ph->nv >= 4 && ph->nw >= 4) {
    const double nc = (double)ph->nv * (double)ph->nw;
    if (nc > (double)PETSC_MAX_INT || nc > (double)INT_MAX) BAD("-nv %" PetscInt_FMT " x -nw %" PetscInt_FMT " = %.0f cells: at most %d", ph->nv, ph->nw, nc, INT_MAX);
  }
  if (!(in->var_v > 0)) BAD("-init_var_v must be > 0 (got %g)", (double)in->var_v);
  if (!(in->kick_width > 0)) BAD("-init_kick_width must be > 0 (got %g)", (double)in->kick_width);
  if (!(in->var_w > 0)) BAD("-init_var_w must be > 0 (got %g)", (double)in->var_w);
  if (!(fk->v_muscl_min_cells >= 0)) BAD("-v_muscl_min_cells must be >= 0 (got %g)", (double)fk->v_muscl_min_cells);
  {
    PetscBool kin, lim, net;
    PetscCall(PetscStrcmp(fk->modeltype, "kinetic", &kin));
    PetscCall(PetscStrcmp(fk->modeltype, "limit", &lim));
    PetscCall(PetscStrcmp(fk->modeltype, "network", &net));
    if (!kin && !lim && !net) BAD("-model %s is not known; valid choices: kinetic limit network", fk->modeltype);
    fk->kind = kin ? FHNK_MODEL_KINETIC : (lim ? FHNK_MODEL_LIMIT : FHNK_MODEL_NETWORK);
  }
  {
    PetscInt deg;
    PetscCall(FhnkPolyDegree(m, &deg));
    if (deg < 1) BAD("-N_coeffs: N must be confining (odd degree with a negative leading coefficient) or linear with a nonzero slope; got a constant N = %g", (double)(m->nN ? m->N[0] : 0));
    else if (deg > 1 && !(deg % 2 == 1 && m->N[deg] < 0)) BAD("-N_coeffs: N must be confining (odd degree with a negative leading coefficient) or linear; got degree %" PetscInt_FMT " with leading coefficient %g", deg, (double)m->N[deg]);
  }
  if (fk->diag_dt < 0) BAD("-diag_dt must be >= 0 (got %g)", (double)fk->diag_dt);
  if (fk->checkpoint_dt < 0) BAD("-checkpoint_dt must be >= 0 (got %g)", (double)fk->checkpoint_dt);
  if (fk->checkpoint_walltime < 0) BAD("-checkpoint_walltime must be >= 0 (got %g)", (double)fk->checkpoint_walltime);
  if (fk->checkpoint_keep < 1) BAD("-checkpoint_keep must be >= 1 (got %" PetscInt_FMT ")", fk->checkpoint_keep);
  if (fk->progress_interval < 0) BAD("-progress_interval must be >= 0 (got %g)", (double)fk->progress_interval);
  for (PetscInt i = 0; i < fk->nq; i++) {
    if (!(fk->q[i] > 0 && fk->q[i] <= 100)) BAD("-moments_q: every q must be in (0, 100] (got %g)", (double)fk->q[i]);
    for (PetscInt j = 0; j < i; j++) { /* the series are named moments/D%g */
      char a[64], b[64];
      snprintf(a, sizeof(a), "%g", (double)fk->q[i]);
      snprintf(b, sizeof(b), "%g", (double)fk->q[j]);
      if (!strcmp(a, b)) {
        BAD("-moments_q: q = %s is given twice (values %d and %d; the series are named /moments/D%s)", a, (int)j + 1, (int)i + 1, a);
        break;
      }
    }
  }
  for (PetscInt i = 0; i < fk->nsnap; i++)
    if (fk->snap_t[i] < 0 || (i > 0 && fk->snap_t[i] <= fk->snap_t[i - 1])) {
      BAD("-snapshot_times must be >= 0 and increasing (value %d: %g)", (int)i + 1, (double)fk->snap_t[i]);
      break;
    }
  if (fk->nsnap_pts) {
    const double np = (double)sp->nx * (sp->dim == 2 ? (double)sp->ny : 1.0);
    PetscInt    *sorted;
    for (PetscInt i = 0; i < fk->nsnap_pts; i++)
      if (fk->snap_pts[i] < 0 || fk->snap_pts[i] >= np) {
        BAD("-snapshot_points: %" PetscInt_FMT " is not a point of K (valid 0 .. %.0f)", fk->snap_pts[i], np - 1);
        break;
      }
    PetscCall(PetscMalloc1(fk->nsnap_pts, &sorted));
    PetscCall(PetscArraycpy(sorted, fk->snap_pts, fk->nsnap_pts));
    PetscCall(PetscSortInt(fk->nsnap_pts, sorted));
    for (PetscInt i = 1; i < fk->nsnap_pts; i++)
      if (sorted[i] == sorted[i - 1]) {
        BAD("-snapshot_points: point %" PetscInt_FMT " is given twice", sorted[i]);
        break;
      }
    PetscCall(PetscFree(sorted));
  }
  if (fk->nsnap && !fk->nsnap_pts) {
    const PetscInt np = sp->nx * (sp->dim == 2 ? sp->ny : 1);
    PetscCall(PetscFree(fk->snap_pts));
    PetscCall(PetscMalloc1(2, &fk->snap_pts));
    fk->snap_pts[0] = 0;
    fk->nsnap_pts   = 1;
    if (np > 1) fk->snap_pts[fk->nsnap_pts++] = sp->dim == 2 ? sp->nx / 2 + sp->nx * (sp->ny / 2) : sp->nx / 2;
  }
  if (!(fk->hopfcole_floor > 0 && fk->hopfcole_floor < 1)) BAD("-hopfcole_floor must be in (0, 1) (got %g)", (double)fk->hopfcole_floor);
  if (!(fk->hopfcole_R > 0)) BAD("-hopfcole_R must be > 0 (got %g)", (double)fk->hopfcole_R);
  if (!fk->outdir[0]) BAD("-o needs a directory name");
  if (sp->dim == 1) sp->ny = 1;
  /* sizes that PetscInt, MPI counts and the memory of the node must hold: before any allocation */
  if (!fk->bad_input && fk->kind == FHNK_MODEL_KINETIC) {
    const double ng = (double)sp->nx * (double)sp->ny * (double)ph->nv * (double)ph->nw;
    if (ng > (double)PETSC_MAX_INT) BAD("the phase-space state has %.4g values (points of K x -nv x -nw = %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT "): more than %lld, the largest index of this PETSc build (use fewer cells, or a PETSc configured --with-64-bit-indices)", ng, sp->nx * sp->ny, ph->nv, ph->nw, (long long)PETSC_MAX_INT);
  }
  if (!fk->bad_input) PetscCall(CheckMemory(fk));
  if (!fk->bad_input) PetscCall(PetscMalloc1(15 * ph->nv, &fk->opwork));
end:
  PetscCall(PetscFree(Nc));
  PetscCall(PetscFree(qv));
  PetscFunctionReturn(0);
}

/* Options PETSc reads only at finalize, or that only steer this check. */
static PetscBool FinalizeTimeOption(const char *name)
{
  const char *ok[] = {"log_view", "malloc_dump", "malloc_debug", "malloc_test", "malloc_view", "options_left", "help", "strict", "on_error_abort", "fp_trap", "info", "log_trace", "memory_view", "fhnk_traceback", "check_pointer_intensity", NULL};
  for (const char **o = ok; *o; o++)
    if (!strncmp(name, *o, strlen(*o))) return PETSC_TRUE;
  return PETSC_FALSE;
}

PetscErrorCode FhnkCheckUnusedOptions(Fhnk fk)
{
  PetscInt n;
  char   **names, **values;
  PetscFunctionBeginUser;
  if (!fk->strict) PetscFunctionReturn(0);
  PetscCall(PetscOptionsLeftGet(NULL, &n, &names, &values));
  for (PetscInt i = 0; i < n; i++)
    if (!FinalizeTimeOption(names[i])) BAD("-%s is not an option of fhnk (misspelt, or not used by the chosen solver); see bin/fhnk -help", names[i]);
  PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
  PetscFunctionReturn(0);
}

/* A new run never replaces earlier results silently: a DIR holding diagnostics, snapshots or any
   checkpoint needs -overwrite (which removes them all) */
PetscErrorCode FhnkCheckOutputDir(Fhnk fk)
{
  char msg[1200] = "";
  PetscFunctionBeginUser;
  if (!fk->rank) {
    struct stat st;
    if (!stat(fk->outdir, &st) && !S_ISDIR(st.st_mode)) snprintf(msg, sizeof(msg), "-o %.900s exists and is not a directory", fk->outdir);
    else if (!fk->overwrite) {
      char        path[PETSC_MAX_PATH_LEN];
      PetscBool   diag, snap;
      PetscInt    n;
      FhnkCkInfo *ck;
      PetscCall(PetscSNPrintf(path, sizeof(path), "%s/diagnostics.h5", fk->outdir));
      diag = (PetscBool)(access(path, F_OK) == 0);
      PetscCall(PetscSNPrintf(path, sizeof(path), "%s/snapshots.h5", fk->outdir));
      snap = (PetscBool)(access(path, F_OK) == 0);
      PetscCall(FhnkCheckpointInventory(fk->outdir, &n, &ck));
      if (n) snprintf(msg, sizeof(msg), "-o %.800s already holds results (%d checkpoint%s, newest checkpoint-%06d.h5%s): choose another -o, continue with -restart latest, or pass -overwrite to replace them", fk->outdir, (int)n, n > 1 ? "s" : "", (int)ck[n - 1].step, diag ? ", and diagnostics.h5" : "");
      else if (diag) snprintf(msg, sizeof(msg), "-o %.800s already holds results (diagnostics.h5 of a run that left no checkpoint): choose another -o, or pass -overwrite to replace them", fk->outdir);
      else if (snap) snprintf(msg, sizeof(msg), "-o %.800s already holds results (snapshots.h5): choose another -o, or pass -overwrite to replace them", fk->outdir);
      PetscCall(PetscFree(ck));
    }
  }
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, fk->comm));
  if (msg[0]) PetscCall(FhnkBad(fk, "%s", msg));
  PetscFunctionReturn(0);
}
