// Realistic synthetic registries for the publication benchmark (and larger publisher tests).
//
// Deterministic for a given seed: N providers spread over a few hundred participants (DVAs with
// whitelist nodes, DVPs with OAuth clients, some holding both roles), a catalogue of ~10 data
// services, per-DVA qualifications, and good-standing evidence at `at`. A small share of the
// participants is deliberately not in good standing (suspended, certificate lapsed, audit
// statement stale, label withdrawn), as in a real network.
#pragma once

#include <cstdint>

#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/domain/types.h"
#include "registry/store/store.h"

namespace medmij::bench {

struct GenOptions {
  size_t providers = 10000;
  size_t participants = 300;
  size_t services = 10;
  uint64_t seed = 1;
  Time at{};  // the instant the evidence is arranged around
  // Share (percent) of participants that are not in good standing at `at`.
  unsigned excluded_percent = 5;
};

RegistryState GenerateRegistry(const GenOptions& options);

// Writes `state` into `store` through the store API, in transactions of at most `batch` records,
// one journal event each (command "bench-generate").
Status WriteRegistry(store::Store& store, const RegistryState& state, Time at, size_t batch = 2000);

}  // namespace medmij::bench
