/* -model network: the m-neuron FitzHugh-Nagumo system the kinetic equation (1.4) comes from
   (SPEC 6, issue 10). Column k of K (a point of K) holds n_k = round(m rho0_k |dK|) neurons (at
   least one); neuron i of column k follows
     dv_i = ( N(v_i) - w_i + I_ext - (rho0_k/eps)(v_i - Vbar_k) - v_i P_k + Q_k ) dt + sqrt(2) dB_i
     dw_i = ( a v_i - b w_i + c ) dt
   with Vbar_k the column mean, P = Psi*rho0, Q = Psi*(rho0 Vbar) from the coupling concern. */
#ifndef FHNK_NETWORK_H
#define FHNK_NETWORK_H
#include "fhnk.h"

#include <hdf5.h>

/* -network_* (their own section of -help) and their checks */
PetscErrorCode FhnkNetworkOptions(Fhnk);
/* the columns, their neurons and global ids (after the grid and the coupling) */
PetscErrorCode FhnkNetworkSetUp(Fhnk);
PetscErrorCode FhnkNetworkDestroy(Fhnk);
/* the initial neurons, drawn from the law of -init at each column */
PetscErrorCode FhnkNetworkInitial(Fhnk);
/* column means of v into net->Vbar */
PetscErrorCode FhnkNetworkMeans(Fhnk);
/* one step of size h from time t */
PetscErrorCode FhnkNetworkStep(Fhnk, PetscReal t, PetscReal h);
/* per local column: means, centred second moments, E of (1.8); mass = neurons / m */
PetscErrorCode FhnkNetworkMoments(Fhnk, PetscReal *V, PetscReal *W, PetscReal *D2, PetscReal *Svw, PetscReal *Sww, PetscReal *E, PetscReal *mass);
/* (v,w) histogram of local column p on the phase grid, as a density comparable with f */
PetscErrorCode FhnkNetworkHistogram(Fhnk, PetscInt p, PetscReal *hist);
/* the neurons in a checkpoint (collective write; independent read); *bad != 0 on failure */
PetscErrorCode FhnkNetworkWrite(Fhnk, hid_t file, int *bad);
PetscErrorCode FhnkNetworkRead(Fhnk, hid_t file, int *bad);
#endif
