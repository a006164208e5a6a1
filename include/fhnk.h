/* fhnk: the application context shared by every concern of the solver.
   State travels in this struct; there are no globals. */
#ifndef FHNK_H
#define FHNK_H

#include <petscts.h>
#include <petscdmda.h>
#include <petscversion.h>
#include "rng.h"

/* API differences between the PETSc releases fhnk builds with (Debian's 3.18 .. 3.25) */
#if PETSC_VERSION_GE(3, 24, 0)
  #define FHNK_MPI_BOOL MPI_C_BOOL /* PetscBool is C's bool since 3.24 */
#else
  #define FHNK_MPI_BOOL MPIU_BOOL
#endif
#if PETSC_VERSION_GE(3, 23, 0)
typedef PetscOptionItems PetscOptionItemsPtr; /* a pointer type since 3.23 */
#else
typedef PetscOptionItems *PetscOptionItemsPtr;
#endif

#define FHNK_VERSION     "0.4.0"
#define FHNK_MAX_POLY    16
#define FHNK_EXIT_SIGNAL 75 /* stopped by SIGTERM/SIGUSR1 after a checkpoint: resubmit */
#define FHNK_NAME_LEN    64
#define FHNK_RUNID_LEN   40

typedef struct {
  PetscReal eps;                 /* strength of the local coupling is 1/eps          */
  PetscInt  nN;                  /* number of coefficients of N                      */
  PetscReal N[FHNK_MAX_POLY];    /* N(v) = sum_k N[k] v^k                            */
  PetscReal a, b, c;             /* A(v,w) = a v - b w + c                           */
} FhnkModel;

typedef struct {
  PetscInt  dim, nx, ny, npts;
  PetscReal Lx, Ly, dK;          /* dK: volume of one cell of K (midpoint rule)      */
  char      rho0_type[FHNK_NAME_LEN];
  PetscReal rho0_amp;
  char      psi_type[FHNK_NAME_LEN];
  PetscReal psi_J, psi_sigma, psi_grade;
  PetscBool psi_periodic;
} FhnkSpace;

/* The coupling concern (coupling.c): who owns the Psi machinery. */
typedef struct {
  char         method[FHNK_NAME_LEN]; /* requested: auto | fft | matrix | replicated          */
  char         used[FHNK_NAME_LEN];   /* what runs: fft | matrix | replicated | none          */
  Vec          P;                     /* Psi*rho0 (da1), computed once                         */
  Mat          Psi;                   /* matrix path: Psi(x_p, x_q) |dK|, rows of local points */
  Vec          gvec, ovec;            /* matrix path: work vectors (da1)                       */
  VecScatter   toFFT;                 /* fft path: DMDA layout -> natural-order FFT slabs      */
  Vec          fftv;                  /*   the field in the FFT layout                         */
  void        *fft;                   /* FFT engine (private to coupling.c)                    */
  PetscReal   *natbuf, *gathbuf;      /* replicated: whole field, natural and rank order       */
  PetscMPIInt *counts, *displs;       /* replicated: Allgatherv layout                         */
  PetscInt    *boxes;                 /* replicated: xs, xm, ys, ym of every rank              */
  PetscReal    nnz;                   /* nonzeros of the matrix (estimate when not built)      */
  PetscLogEvent setup;
} FhnkCoupling;

typedef struct {
  PetscInt   nv, nw, ncell;
  PetscReal  vmin, vmax, wmin, wmax, dv, dw;
  PetscReal *v, *w;              /* cell centres                                     */
  PetscReal *vface, *wface;      /* nv+1, nw+1 faces                                 */
} FhnkPhase;

/* The output directory concern (outdir.c): the run's identity and its lock on -o DIR. */
typedef struct {
  char      run_id[FHNK_RUNID_LEN]; /* 32 hex digits, kept across restarts                    */
  int       lockfd;                 /* rank 0: DIR/.fhnk.lock, flock'ed (-1: not held)         */
  long      pid;                    /* rank 0's process id (unique temporary names)            */
  char      diag_source[PETSC_MAX_PATH_LEN]; /* restart: the series continued ("" = a new one) */
  PetscBool xdmf_broken, xdmf_warned; /* the XDMF view could not be written (warned once)     */
} FhnkOutput;

/* The network concern (network.c): the m-neuron system of the seed, column k of K holding
   n_k = round(m rho0_k |dK|) neurons (SPEC 6). */
typedef struct {
  PetscInt64 m;         /* -network_m: neurons in all (requested)                         */
  PetscInt64 seed;      /* -network_seed: key of the counter-based generator              */
  PetscInt64 ntotal;    /* neurons in all after rounding                                   */
  PetscInt   nlocal;    /* neurons of the local columns                                    */
  PetscInt  *offset;    /* nloc+1: first neuron (local index) of each local column         */
  PetscInt64 *gid0;     /* nloc: global id of the first neuron of each local column        */
  PetscReal *v, *w;     /* the state, nlocal each                                          */
  PetscReal *Vbar, *Vprev, *Q; /* nloc: column means of v (now, a step ago), Q + I_ext of a step */
  PetscReal *xi;        /* normals of one column                                            */
  FhnkRngWork rng;      /* scratch of the random number transform                            */
  PetscInt64 step;      /* steps taken since t = 0 (the generator's counter)               */
  PetscBool  hist;      /* -network_hist: (v,w) histograms of the snapshot columns          */
  PetscReal  dt;        /* the step                                                         */
} FhnkNetwork;

/* The stimulus concern (stimulus.c): pulses of external current. */
#define FHNK_MAX_STIM 32
typedef struct {
  PetscInt          n;                         /* number of pulses                        */
  char              shape[FHNK_MAX_STIM][16];  /* disk | gaussian | rect                  */
  PetscReal         amp[FHNK_MAX_STIM], x[FHNK_MAX_STIM], y[FHNK_MAX_STIM], r[FHNK_MAX_STIM], ry[FHNK_MAX_STIM];
  PetscReal         onset[FHNK_MAX_STIM], duration[FHNK_MAX_STIM], period[FHNK_MAX_STIM];
  PetscInt          count[FHNK_MAX_STIM];
  PetscReal        *prof;                      /* nloc x n: A_k S_k(x_p)                  */
  PetscFunctionList shapes;
} FhnkStim;

typedef struct {
  char      type[FHNK_NAME_LEN];
  PetscReal V0, V0amp, W0, W0amp, var_v, var_w;
  PetscReal kick, kick_x, kick_width; /* V0 += kick exp(-|x - kick_x|^2/(2 kick_width^2)) */
} FhnkInit;

typedef struct {
  PetscLogEvent explicit_op, implicit_op, line_solve, moments, psi, diag, io, checkpoint, limit, fused, network;
  PetscLogStage loop;
} FhnkLog;

/* Per-point data of the stiff line solve (SG coefficients and Thomas factors). */
typedef struct {
  PetscReal *bp, *bm;            /* Bernoulli weights at the nv-1 interior faces      */
  PetscReal *ml, *cp, *id;       /* Thomas: lower/den, upper/den (c'), 1/den          */
} FhnkLine;

typedef enum { FHNK_MODEL_KINETIC, FHNK_MODEL_LIMIT, FHNK_MODEL_NETWORK } FhnkModelKind;

typedef struct _p_Fhnk *Fhnk;
struct _p_Fhnk {
  MPI_Comm    comm;
  PetscMPIInt rank, size;

  FhnkModel model;
  FhnkSpace space;
  FhnkPhase ph;
  FhnkInit  init;
  char      modeltype[FHNK_NAME_LEN]; /* kinetic | limit | network */
  FhnkModelKind kind;

  /* run control */
  char      outdir[PETSC_MAX_PATH_LEN];
  char      restart[PETSC_MAX_PATH_LEN];
  PetscReal v_muscl_min_cells; /* second-order v-transport where sqrt(eps/rho0) >= this many cells */
  PetscReal diag_dt, checkpoint_dt, checkpoint_walltime, T, dt, progress_interval, hopfcole_R, hopfcole_floor;
  PetscInt  checkpoint_keep;
  PetscBool overwrite, strict, imex, quiet;
  PetscBool adaptive;              /* a TSAdapt other than none (-ts_adapt_type)                */
  PetscReal dt_first;              /* adaptive restart: the step chosen before the checkpoint   */
  PetscBool bad_input;             /* set by option checks; main exits 1 */

  /* registries of scenario choices */
  PetscFunctionList rho0_list, psi_list, init_list;
  FhnkCoupling      cpl;
  FhnkStim          stim;
  FhnkOutput        out;
  FhnkNetwork       net;

  /* grid of K */
  DM         da;    /* dof = nv*nw: each rank owns whole phase-space blocks */
  DM         da1;   /* dof = 1: macroscopic fields                          */
  DM         da2;   /* dof = 2: (V,W) of the limit system                   */
  PetscInt   nloc;  /* points of K owned here                               */
  PetscInt  *nat;   /* natural index of each local point                    */
  PetscReal *xloc;  /* coordinates, nloc*dim                                */
  Vec        rho0;  /* da1: rho0, normalised to integral 1                   */
  PetscInt  *ixs, *iys, *rstart; /* DMDA ownership: first ix of each rank column, first iy
                                    of each rank row (px+1, py+1), first PETSc index of each rank */
  PetscInt   px, py;

  /* per-point stage data */
  PetscReal *Vst;   /* mean voltage of a state (FhnkExplicit, FhnkCFL)       */
  PetscReal *Vc;    /* centre of the discrete Gaussian with that mean       */
  PetscReal *mloc;  /* mass of the stage data                               */
  PetscReal *Qloc;  /* Psi*(rho0 V) at the local points                     */
  PetscReal *Vy;    /* mean voltage of the latest stage value               */
  PetscReal *zbuf;  /* 8 nv: stage data of a block of lines (fused stepper)  */
  PetscReal *zbuf2; /* 8 nv: partial step completion of that block          */
  FhnkLine   line;
  PetscReal *opwork; /* 15 nv scratch of the explicit operator */

  /* time stepping */
  TS        ts, tslim;
  Vec       f, ulim, Zs;
  PetscReal shift;
  Mat       Jshell;
  PetscReal t0;   /* start time (restart) */
  PetscInt  step0, last_checkpoint_step;

  /* diagnostics */
  PetscInt  nt;             /* samples written so far */
  PetscReal tdiag;          /* time of the next diagnostic sample (kept in checkpoints) */
  PetscReal last_diag_t;
  PetscInt  nq;             /* -moments_q */
  PetscReal q[FHNK_MAX_POLY];
  PetscInt  nsnap, nsnap_pts;
  PetscReal *snap_t;        /* -snapshot_times (nsnap, allocated)         */
  PetscInt  *snap_pts;      /* -snapshot_points (nsnap_pts, allocated)    */
  PetscBool warned_wall;
  PetscBool warned_neg;
  double    wall_start, wall_last_print;
  PetscInt  last_print_step;
  void     *h5;             /* diagnostics file handle (io.c) */
  PetscReal next_checkpoint_t;
  double    next_checkpoint_wall;
  int       stop_signal;   /* the signal that stopped the run (after its checkpoint)  */
  PetscBool stopped_short; /* -ts_max_steps ended the run before T                   */
  PetscBool already_done;  /* -restart of the final checkpoint of a finished run: nothing to do */

  FhnkLog log;
};

/* Printing on rank 0 with the C library's formatting (PETSc's would write 1.0 as "1.") */
#include <stdarg.h>
static inline PetscErrorCode FhnkPrintf(MPI_Comm comm, FILE *fd, const char *fmt, ...)
{
  char    buf[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  return PetscFPrintf(comm, fd, "%s", buf);
}
#endif
