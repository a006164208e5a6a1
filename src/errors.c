/* Errors as the user sees them (issue 12): one line naming the option or file, never a traceback
   or a library's stack; a failed -options_file before PETSc starts; a clean exit 1 when every rank
   failed during set-up. The state these need travels in an FhnkErrCtx owned by main(). */
#include "errors.h"
#include <unistd.h>
#include <errno.h>
#include <sys/stat.h>

/* the options as given, kept so that a value PETSc itself fails to parse (an option fhnk does not
   check beforehand) is reported with the option's name */

/* the option whose value (or one entry of whose comma-separated value) is v */
static const char *OptionOfValue(const FhnkErrCtx *ctx, const char *v, size_t len)
{
  for (PetscInt i = 0; i < ctx->nopt; i++) {
    const char *s = ctx->optvalue[i];
    if (!s) continue;
    for (const char *p = s; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
      const char *c = strchr(p, ',');
      if ((size_t)(c ? c - p : (ptrdiff_t)strlen(p)) == len && !strncmp(p, v, len)) return ctx->optname[i];
    }
  }
  return NULL;
}

/* PETSc errors reach the user as one line naming the problem, not a traceback
   (-fhnk_traceback restores PETSc's own handler). */
PetscErrorCode FhnkConciseErrorHandler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  if (p == PETSC_ERROR_INITIAL) {
    PetscMPIInt rank = 0;
    const char *v = NULL, *e = NULL, *opt = NULL;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (mess && !strncmp(mess, "Input string ", 13)) { /* PETSc's parse errors do not name the option */
      v = mess + 13;
      e = strstr(v, " has no ");
    } else if (mess && !strncmp(mess, "Unknown logical value: ", 23)) {
      v = mess + 23;
      e = v + strlen(v);
    }
    if (v && e && ctx) opt = OptionOfValue((const FhnkErrCtx *)ctx, v, (size_t)(e - v));
    if (opt) fprintf(stderr, "fhnk: error%s%.0d: -%s: '%.*s' is not a valid value (%s)\n", rank ? " on rank " : "", rank, opt, (int)PetscMin(e - v, 60), v, mess);
    else if (n == PETSC_ERR_FP && fun && strncmp(fun, "Fhnk", 4)) /* a blow-up seen by a norm or a check of PETSc's */
      fprintf(stderr, "fhnk: error%s%.0d: the solution is not finite (%s, in %s()): the time step is too large for the explicit transport; lower -ts_dt (or use -ts_adapt_type basic)\n", rank ? " on rank " : "", rank, mess ? mess : "", fun);
    else fprintf(stderr, "fhnk: error%s%.0d: %s (PETSc error %d in %s() at %s:%d)\n", rank ? " on rank " : "", rank, mess ? mess : "", (int)n, fun, file, line);
    fflush(stderr);
  }
  return n;
}

/* An -options_file PETSc cannot read makes PetscInitialize print a whole error report and abort
   (status 83). Checked before it, on the command line, in PETSC_OPTIONS and (nested) in the files
   themselves: one line naming the file, status 1. Returns 0 when all can be read. */
static int OptionsFileProblem(const char *file, int depth, char *msg, size_t n);

static int OptionsFileTokens(char *text, int depth, char *msg, size_t n, PetscBool comments)
{
  char *save = NULL, *tok;
  if (comments) /* options files: '#' starts a comment */
    for (char *c = text, *hash; (hash = strchr(c, '#'));) {
      char *eol = strchr(hash, '\n');
      memset(hash, ' ', eol ? (size_t)(eol - hash) : strlen(hash));
      if (!eol) break;
      c = eol;
    }
  for (tok = strtok_r(text, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save))
    if (!strcmp(tok, "-options_file") || !strcmp(tok, "-options_file_yaml")) {
      char *file = strtok_r(NULL, " \t\r\n", &save);
      if (!file || file[0] == '-') {
        snprintf(msg, n, "%s needs a file name", tok);
        return 1;
      }
      if (OptionsFileProblem(file, depth + 1, msg, n)) return 1;
    }
  return 0;
}

static int OptionsFileProblem(const char *file, int depth, char *msg, size_t n)
{
  struct stat st;
  FILE       *fp;
  char       *text;
  long        len;
  int         bad;
  if (strlen(file) >= PETSC_MAX_PATH_LEN) {
    snprintf(msg, n, "-options_file %.60s...: the path is longer than %d characters", file, PETSC_MAX_PATH_LEN - 1);
    return 1;
  }
  if (stat(file, &st)) {
    snprintf(msg, n, "-options_file %.900s: %s", file, strerror(errno));
    return 1;
  }
  if (S_ISDIR(st.st_mode)) {
    snprintf(msg, n, "-options_file %.900s is a directory, not a file of options", file);
    return 1;
  }
  if (!(fp = fopen(file, "r"))) {
    snprintf(msg, n, "-options_file %.900s: cannot be read (%s)", file, strerror(errno));
    return 1;
  }
  if (depth > 8) { /* a file that includes itself: PETSc's problem to report */
    fclose(fp);
    return 0;
  }
  fseek(fp, 0, SEEK_END);
  len = ftell(fp);
  rewind(fp);
  if (len < 0 || len > (1L << 26) || !(text = (char *)calloc((size_t)len + 1, 1))) {
    fclose(fp);
    return 0;
  }
  len       = (long)fread(text, 1, (size_t)len, fp);
  text[len] = 0;
  fclose(fp);
  bad = OptionsFileTokens(text, depth, msg, n, PETSC_TRUE);
  free(text);
  return bad;
}

int FhnkCheckOptionsFiles(int argc, char **argv)
{
  char        msg[1200] = "";
  const char *env       = getenv("PETSC_OPTIONS");
  int         bad       = 0;
  for (int i = 1; i < argc && !bad; i++)
    if (!strcmp(argv[i], "-options_file") || !strcmp(argv[i], "-options_file_yaml")) {
      if (i + 1 >= argc || (argv[i + 1][0] == '-' && argv[i + 1][1])) {
        snprintf(msg, sizeof(msg), "%s needs a file name", argv[i]);
        bad = 1;
      } else bad = OptionsFileProblem(argv[++i], 0, msg, sizeof(msg));
    }
  if (!bad && env) {
    char *copy = strdup(env);
    if (copy) bad = OptionsFileTokens(copy, 0, msg, sizeof(msg), PETSC_FALSE);
    free(copy);
  }
  if (bad) { /* MPI is not initialized yet: only the first process of the job reports */
    const char *vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", NULL}, *r = NULL;
    for (const char **v = vars; *v && !r; v++) r = getenv(*v);
    if (!r || !strcmp(r, "0")) fprintf(stderr, "fhnk: error: %s\n", msg);
  }
  return bad;
}

/* After an error during the set-up and the checks (bad input PETSc itself refuses, on every rank
   at once: the usual case), the ranks finalize together and exit 1 with their one-line message,
   without Open MPI's abort report (which may add "ORTE_ERROR_LOG" noise); a rank alone with its
   error (the others busy or waiting elsewhere) aborts the job after a grace period of 5 s. The
   barrier has a communicator of its own, so it never meets the run's collectives. Errors once
   files may be open (a failed step, a full disk) abort as before: the files stay as last flushed. */
PetscBool FhnkEveryRankFailed(const FhnkErrCtx *c)
{
  MPI_Request req;
  int         done = 0;
  if (c->errcomm == MPI_COMM_NULL || MPI_Ibarrier(c->errcomm, &req) != MPI_SUCCESS) return PETSC_FALSE;
  for (int i = 0; i < 500 && !done; i++) {
    if (MPI_Test(&req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) return PETSC_FALSE;
    if (!done) usleep(10000);
  }
  return done ? PETSC_TRUE : PETSC_FALSE;
}

