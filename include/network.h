/* -model network: the m-neuron FitzHugh-Nagumo system the kinetic equation (1.4) comes from
   (SPEC 6, issue 10). Column k of K (a point of K) holds n_k = round(m rho0_k |dK|) neurons (at
   least one); neuron i of column k follows
     dv_i = ( N(v_i) - w_i + I_ext - (rho0_k/eps)(v_i - Vbar_k) - v_i P_k + Q_k ) dt + sqrt(2) dB_i
     dw_i = ( a v_i - b w_i + c ) dt
   with Vbar_k the column mean, P = Psi*rho0, Q = Psi*(rho0 Vbar) from the coupling concern. */
#ifndef FHNK_NETWORK_H
#define FHNK_NETWORK_H
#include "fhnk.h"

/* -network_* (their own section of -help) and their checks */
PetscErrorCode FhnkNetworkOptions(Fhnk);
#endif
