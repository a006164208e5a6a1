/* The output directory -o DIR: run identity, lock, inventory of checkpoints (issue 11).
   See outdir.h. File system work is done by rank 0; the outcome is broadcast. */
#include "outdir.h"
#include "options.h"
#include <hdf5.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

PetscErrorCode FhnkRunIdNew(Fhnk fk)
{
  PetscFunctionBeginUser;
  if (!fk->rank) {
    unsigned char b[16];
    int           fd = open("/dev/urandom", O_RDONLY), got = 0;
    if (fd >= 0) {
      got = (int)read(fd, b, sizeof(b)) == (int)sizeof(b);
      close(fd);
    }
    if (!got) { /* no /dev/urandom: time, pid and address bits (unique enough for a directory) */
      struct timeval tv;
      unsigned long long x;
      gettimeofday(&tv, NULL);
      x = ((unsigned long long)tv.tv_sec << 20) ^ (unsigned long long)tv.tv_usec ^ ((unsigned long long)getpid() << 40) ^ (unsigned long long)(size_t)&tv;
      for (int i = 0; i < 16; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        b[i] = (unsigned char)(x >> 56);
      }
    }
    for (int i = 0; i < 16; i++) snprintf(fk->out.run_id + 2 * i, 3, "%02x", b[i]);
  }
  PetscCallMPI(MPI_Bcast(fk->out.run_id, FHNK_RUNID_LEN, MPI_CHAR, 0, fk->comm));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkOutPath(Fhnk fk, const char *name, char *buf, size_t n)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(buf, n, "%s/%s", fk->outdir, name));
  PetscFunctionReturn(0);
}

/* DIR/.name.<run id prefix>-<pid>.tmp: two runs (or two processes) never share a temporary */
PetscErrorCode FhnkOutTmpPath(Fhnk fk, const char *name, char *buf, size_t n)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(buf, n, "%s/.%s.%.8s-%ld.tmp", fk->outdir, name, fk->out.run_id, fk->out.pid));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkFileRunId(const char *path, PetscBool *exists, PetscBool *readable, char *run_id, char *why, size_t nwhy)
{
  hid_t f, a, t;
  PetscFunctionBeginUser;
  *exists   = (PetscBool)(access(path, F_OK) == 0);
  *readable = PETSC_FALSE;
  run_id[0] = 0;
  if (why && nwhy) why[0] = 0;
  if (!*exists) PetscFunctionReturn(0);
  f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    if (why) snprintf(why, nwhy, "not a readable HDF5 file (truncated or damaged)");
    PetscFunctionReturn(0);
  }
  if (H5Aexists(f, "run_id") > 0 && (a = H5Aopen(f, "run_id", H5P_DEFAULT)) >= 0) {
    t = H5Aget_type(a);
    if (H5Tget_class(t) == H5T_STRING && H5Tget_size(t) < FHNK_RUNID_LEN) {
      hid_t m = H5Tcopy(H5T_C_S1);
      H5Tset_size(m, H5Tget_size(t));
      if (H5Aread(a, m, run_id) >= 0) {
        run_id[H5Tget_size(t)] = 0;
        *readable = PETSC_TRUE;
      }
      H5Tclose(m);
    }
    H5Tclose(t);
    H5Aclose(a);
    if (!*readable && why) snprintf(why, nwhy, "its run_id attribute cannot be read (damaged)");
  } else if (why) snprintf(why, nwhy, "no run_id attribute (written by fhnk older than 0.3, or not by fhnk)");
  H5Fclose(f);
  PetscFunctionReturn(0);
}

static int CompareCk(const void *a, const void *b)
{
  const FhnkCkInfo *x = (const FhnkCkInfo *)a, *y = (const FhnkCkInfo *)b;
  return x->step < y->step ? -1 : x->step > y->step;
}

/* checkpoint-NNNNNN.h5 (six or more digits) */
static PetscBool IsCheckpointName(const char *s, long long *step)
{
  const size_t n = strlen(s);
  if (n < strlen("checkpoint-") + 6 + 3 || strncmp(s, "checkpoint-", 11) || strcmp(s + n - 3, ".h5")) return PETSC_FALSE;
  for (size_t i = 11; i < n - 3; i++)
    if (s[i] < '0' || s[i] > '9') return PETSC_FALSE;
  *step = atoll(s + 11);
  return PETSC_TRUE;
}

PetscErrorCode FhnkCheckpointInventory(const char *dir, PetscInt *n, FhnkCkInfo **list)
{
  DIR           *d;
  struct dirent *e;
  PetscInt       cap = 8;
  PetscFunctionBeginUser;
  *n = 0;
  PetscCall(PetscCalloc1(cap, list));
  d = opendir(dir);
  if (!d) PetscFunctionReturn(0);
  while ((e = readdir(d))) {
    long long   step;
    char        path[PETSC_MAX_PATH_LEN];
    PetscBool   exists, readable;
    FhnkCkInfo *c;
    if (!IsCheckpointName(e->d_name, &step)) continue;
    if (*n == cap) {
      FhnkCkInfo *t;
      PetscCall(PetscCalloc1(2 * cap, &t));
      PetscCall(PetscArraycpy(t, *list, cap));
      PetscCall(PetscFree(*list));
      *list = t;
      cap *= 2;
    }
    c       = &(*list)[(*n)++];
    c->step = (PetscInt)step;
    c->time = -1;
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", dir, e->d_name));
    PetscCall(FhnkFileRunId(path, &exists, &readable, c->run_id, c->why, sizeof(c->why)));
    if (readable) {
      hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
      if (f >= 0) {
        if (H5Aexists(f, "time") > 0) {
          hid_t a = H5Aopen(f, "time", H5P_DEFAULT);
          if (a >= 0) {
            double tv;
            if (H5Aread(a, H5T_NATIVE_DOUBLE, &tv) >= 0) c->time = tv;
            H5Aclose(a);
          }
        }
        H5Fclose(f);
      }
    }
  }
  closedir(d);
  qsort(*list, (size_t)*n, sizeof(FhnkCkInfo), CompareCk);
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkFsyncPath(const char *path, PetscBool dir, int *err)
{
  int fd;
  PetscFunctionBeginUser;
  fd = open(path, O_RDONLY | (dir ? O_DIRECTORY : 0));
  if (fd < 0) {
    if (err && !*err) *err = errno;
    PetscFunctionReturn(0);
  }
  if (fsync(fd) && err && !*err && !dir) *err = errno; /* some file systems refuse fsync on a directory */
  close(fd);
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkOutputAcquire(Fhnk fk)
{
  char msg[1024] = "";
  PetscFunctionBeginUser;
  fk->out.lockfd = -1;
  if (!fk->rank) {
    char buf[PETSC_MAX_PATH_LEN];
    int  err = 0;
    fk->out.pid = (long)getpid();
    /* mkdir -p */
    PetscCall(PetscStrncpy(buf, fk->outdir, sizeof(buf)));
    for (char *s = buf + 1; *s && !err; s++)
      if (*s == '/') {
        *s = 0;
        if (mkdir(buf, 0755) && errno != EEXIST) err = errno;
        *s = '/';
      }
    if (!err && mkdir(buf, 0755) && errno != EEXIST) err = errno;
    if (!err) {
      struct stat st;
      if (stat(fk->outdir, &st)) err = errno;
      else if (!S_ISDIR(st.st_mode)) err = ENOTDIR;
    }
    if (err) snprintf(msg, sizeof(msg), "-o %.900s: cannot create the output directory (%s)", fk->outdir, strerror(err));
    else {
      int fd;
      PetscCall(FhnkOutPath(fk, ".fhnk.lock", buf, sizeof(buf)));
      fd = open(buf, O_RDWR | O_CREAT, 0644);
      if (fd < 0) snprintf(msg, sizeof(msg), "-o %.900s: cannot write there (%s)", fk->outdir, strerror(errno));
      else if (flock(fd, LOCK_EX | LOCK_NB)) {
        char    who[256] = "";
        ssize_t r        = pread(fd, who, sizeof(who) - 1, 0);
        who[r > 0 ? r : 0] = 0;
        who[strcspn(who, "\n")] = 0;
        snprintf(msg, sizeof(msg), "-o %.800s is in use by another fhnk run (%s): wait for it to end, or choose another -o", fk->outdir, who[0] ? who : "its lock file is held");
        close(fd);
      } else {
        char      line[256], host[64] = "?";
        time_t    now = time(NULL);
        struct tm tmv;
        gethostname(host, sizeof(host) - 1);
        localtime_r(&now, &tmv);
        snprintf(line, sizeof(line), "pid %ld on %s since %04d-%02d-%02d %02d:%02d:%02d, run %.8s\n", fk->out.pid, host, tmv.tm_year + 1900, tmv.tm_mon + 1, tmv.tm_mday, tmv.tm_hour, tmv.tm_min, tmv.tm_sec, fk->out.run_id);
        if (ftruncate(fd, 0) == 0 && pwrite(fd, line, strlen(line), 0) < 0) { /* informative only */ }
        fk->out.lockfd = fd;
      }
    }
  }
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, fk->comm));
  PetscCallMPI(MPI_Bcast(&fk->out.pid, 1, MPI_LONG, 0, fk->comm));
  if (msg[0]) PetscCall(FhnkBad(fk, "%s", msg));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkOutputRelease(Fhnk fk)
{
  PetscFunctionBeginUser;
  if (fk->out.lockfd >= 0) {
    flock(fk->out.lockfd, LOCK_UN);
    close(fk->out.lockfd);
    fk->out.lockfd = -1;
  }
  PetscFunctionReturn(0);
}

/* rank 0: unlink DIR/name and DIR/entries matching a prefix/suffix pair */
static void RemoveMatching(const char *dir, const char *prefix, const char *suffix)
{
  DIR           *d = opendir(dir);
  struct dirent *e;
  if (!d) return;
  while ((e = readdir(d))) {
    const size_t n = strlen(e->d_name), np = strlen(prefix), ns = strlen(suffix);
    char         path[PETSC_MAX_PATH_LEN];
    if (n < np + ns || strncmp(e->d_name, prefix, np) || strcmp(e->d_name + n - ns, suffix)) continue;
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    (void)unlink(path);
  }
  closedir(d);
}

PetscErrorCode FhnkOutputClear(Fhnk fk)
{
  PetscFunctionBeginUser;
  if (!fk->rank) {
    const char *files[] = {"diagnostics.h5", "diagnostics.xmf", "diagnostics-xdmf.h5", "snapshots.h5", NULL};
    for (const char **f = files; *f; f++) {
      char path[PETSC_MAX_PATH_LEN];
      PetscCall(FhnkOutPath(fk, *f, path, sizeof(path)));
      (void)unlink(path);
    }
    RemoveMatching(fk->outdir, "checkpoint-", ".h5");
    RemoveMatching(fk->outdir, "checkpoint-", ".h5.superseded");
  }
  PetscCallMPI(MPI_Barrier(fk->comm));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkOutputRemoveStale(Fhnk fk)
{
  PetscFunctionBeginUser;
  if (!fk->rank) RemoveMatching(fk->outdir, ".", ".tmp");
  PetscCallMPI(MPI_Barrier(fk->comm));
  PetscFunctionReturn(0);
}

PetscErrorCode FhnkOutputSupersede(Fhnk fk, PetscInt step)
{
  char moved[512] = "";
  PetscFunctionBeginUser;
  if (!fk->rank) {
    PetscInt    n;
    FhnkCkInfo *ck;
    PetscCall(FhnkCheckpointInventory(fk->outdir, &n, &ck));
    for (PetscInt i = 0; i < n; i++) {
      char from[PETSC_MAX_PATH_LEN], to[PETSC_MAX_PATH_LEN + 16];
      if (ck[i].step <= step || (ck[i].run_id[0] && strcmp(ck[i].run_id, fk->out.run_id))) continue;
      PetscCall(PetscSNPrintf(from, sizeof(from), "%s/checkpoint-%06" PetscInt_FMT ".h5", fk->outdir, ck[i].step));
      snprintf(to, sizeof(to), "%s.superseded", from);
      if (!rename(from, to)) {
        size_t l = strlen(moved);
        if (l < sizeof(moved) - 40) snprintf(moved + l, sizeof(moved) - l, "%s%06d", l ? ", " : "", (int)ck[i].step);
      }
    }
    PetscCall(PetscFree(ck));
  }
  PetscCallMPI(MPI_Bcast(moved, sizeof(moved), MPI_CHAR, 0, fk->comm));
  if (moved[0]) PetscCall(FhnkPrintf(fk->comm, PETSC_STDOUT, "fhnk: the checkpoints after step %d (%s) belong to a history this restart replaces: renamed to *.h5.superseded\n", (int)step, moved));
  PetscFunctionReturn(0);
}
