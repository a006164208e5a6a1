/* -model network (issue 10): see network.h. */
#include "network.h"
#include "options.h"

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
