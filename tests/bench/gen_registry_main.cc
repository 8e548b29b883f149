// medmij-gen-registry: writes a synthetic registry (tests/bench/gen_registry.h) into a store.
//
//   medmij-gen-registry --data-dir DIR --providers N [--participants P] [--seed S] [--at ISO]
#include <CLI/CLI.hpp>

#include <cstdio>

#include "registry/common/clock.h"
#include "registry/store/store.h"
#include "tests/bench/gen_registry.h"

int main(int argc, char** argv) {
  using namespace medmij;
  CLI::App app{"Write a synthetic MedMij registry into a store, for benchmarks."};
  std::string data_dir, at_text;
  bench::GenOptions options;
  app.add_option("--data-dir", data_dir, "store directory (created)")->required();
  app.add_option("--providers", options.providers, "number of zorgaanbieders");
  app.add_option("--participants", options.participants, "number of participants");
  app.add_option("--seed", options.seed, "random seed");
  app.add_option("--at", at_text, "instant the evidence is arranged around (default: now)");
  CLI11_PARSE(app, argc, argv);
  if (Status st = InitProcessClock(); !st.ok()) {
    std::fprintf(stderr, "medmij-gen-registry: %s\n", st.message().c_str());
    return 2;
  }

  options.at = ProcessClock().Now();
  if (!at_text.empty()) {
    auto t = ParseTime(at_text, "--at");
    if (!t.ok()) {
      std::fprintf(stderr, "medmij-gen-registry: %s\n", t.status().message().c_str());
      return 2;
    }
    options.at = *t;
  }
  auto store = store::Store::Open(data_dir);
  if (!store.ok()) {
    std::fprintf(stderr, "medmij-gen-registry: %s\n", store.status().message().c_str());
    return 1;
  }
  RegistryState state = bench::GenerateRegistry(options);
  Status st = bench::WriteRegistry(**store, state, options.at);
  if (!st.ok()) {
    std::fprintf(stderr, "medmij-gen-registry: %s\n", st.message().c_str());
    return 1;
  }
  std::printf(
      "generated %zu participants, %zu nodes, %zu oauth clients, %zu services, %zu providers\n",
      state.participants.size(), state.nodes.size(), state.oauth_clients.size(),
      state.services.size(), state.providers.size());
  return 0;
}
