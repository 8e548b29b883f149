// medmij-incremental-bench: one publication after a single Whitelist change, full vs incremental
// (tests/bench/incremental_bench.sh runs it on registries made by medmij-gen-registry).
//
//   medmij-incremental-bench --data-dir D --key K --cert C [--chain CH] [--at ISO] [--rounds N]
//
// Two publishers on the one store: one with Options::incremental (it publishes first, which is
// its full rebuild, timed apart), one without (every publication rebuilds from the snapshot and
// validates whole documents, as before incremental publication). Each round commits one
// `node add` (ops::AddNode, a Whitelist change) and times the full publisher's publication, then
// another and times the incremental one's; both then archive only the Whitelist. Last, one
// provider removal (ops::RemoveProvider: the ZAL, the largest list, changes) is timed
// incrementally.
// Prints each time and the median ratio.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "registry/common/clock.h"
#include "registry/domain/policy.h"
#include "registry/ops/ops.h"
#include "registry/publisher/publisher.h"
#include "registry/store/store.h"
#include "signer/signer.h"

namespace {

using namespace medmij;

int Fail(const Status& st) {
  std::fprintf(stderr, "medmij-incremental-bench: %s\n", st.message().c_str());
  return 1;
}

// This process's resident and peak resident set, from /proc/self/status ("VmRSS"/"VmHWM").
std::string Memory() {
  std::ifstream in("/proc/self/status");
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:") || line.starts_with("VmHWM:")) {
      if (!out.empty()) out += ", ";
      out += line.substr(0, 6) + " " + std::to_string(std::stoll(line.substr(6)) / 1024) + " MB";
    }
  }
  return out;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// One committed change at `at` made by `op`.
template <typename Op>
Status Change(store::Store& store, Time at, Op op) {
  MEDMIJ_ASSIGN_OR_RETURN(auto w, store.BeginWrite());
  MEDMIJ_RETURN_IF_ERROR(op(*w, ops::Actor{"bench", at}));
  return w->Commit(store::EventMeta{at, "bench", "bench change", "", ""}).status();
}

// Times one publication; fails unless exactly `expected` lists were published (when given).
Result<double> Timed(publisher::Publisher& pub, Time at, std::optional<size_t> expected,
                     const char* label) {
  auto start = std::chrono::steady_clock::now();
  publisher::Report r = pub.PublishOnce(at);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!r.ok()) return Status::Internal(std::string(label) + ": a list failed");
  size_t published = 0;
  for (const auto& l : r.lists) published += l.published ? 1 : 0;
  std::printf("%-34s %9.1f ms  (%zu list(s) published, %s)\n", label, ms, published,
              r.derivation.rebuilt ? ("rebuilt: " + r.derivation.why).c_str()
                                   : (std::to_string(r.derivation.events) + " event(s) applied, " +
                                      std::to_string(r.derivation.entries) + " entries re-derived")
                                         .c_str());
  if (expected && published != *expected) {
    return Status::Internal(std::string(label) + ": expected " + std::to_string(*expected) +
                            " list(s) published");
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"medmij-incremental-bench"};
  std::string data_dir, key, cert, chain, at_text;
  int rounds = 5;
  app.add_option("--data-dir", data_dir)->required();
  app.add_option("--key", key)->required();
  app.add_option("--cert", cert)->required();
  app.add_option("--chain", chain);
  app.add_option("--at", at_text);
  app.add_option("--rounds", rounds);
  CLI11_PARSE(app, argc, argv);

  Time at = ProcessClock().Now();
  if (!at_text.empty()) {
    auto parsed = ParseTime(at_text, "--at");
    if (!parsed.ok()) return Fail(parsed.status());
    at = *parsed;
  }
  at = FloorToSecond(at);
  auto libs = signer::Libraries::Init();
  if (!libs.ok()) return Fail(libs.status());
  auto schemas = signer::SchemaSet::Load();
  if (!schemas.ok()) return Fail(schemas.status());
  auto signer = signer::Signer::Load(key, cert, chain, at);
  if (!signer.ok()) return Fail(signer.status());
  auto store = store::Store::Open(data_dir);
  if (!store.ok()) return Fail(store.status());

  // A DVA that has nodes: the bench's nodes are added to it.
  std::string dva;
  std::string provider;
  {
    auto read = (*store)->BeginRead();
    if (!read.ok()) return Fail(read.status());
    auto state = (*read)->LoadState();
    if (!state.ok()) return Fail(state.status());
    // A provider on the ZAL (a DVA in good standing), removed at the end: the largest list
    // changes by one entry.
    for (const auto& [name, p] : state->providers) {
      const Participant& owner = state->participants.at(p.dva);
      if (!owner.HasRole(Role::kDva) || !policy::EvaluateStanding(owner, at).good) continue;
      dva = p.dva;
      provider = name;
      break;
    }
    std::printf("registry: %zu providers, %zu participants, %zu nodes\n", state->providers.size(),
                state->participants.size(), state->nodes.size());
  }
  if (dva.empty()) return Fail(Status::NotFound("no active DVA with providers"));

  publisher::Options inc_options;
  inc_options.operator_name = "bench";
  publisher::Options full_options = inc_options;
  full_options.incremental = false;
  publisher::Publisher incremental(**store, **signer, **schemas, inc_options);
  publisher::Publisher full(**store, **signer, **schemas, full_options);
  Time t = at;
  auto first = Timed(incremental, t, std::size(kAllLists), "first publication (incremental)");
  if (!first.ok()) return Fail(first.status());
  // What the incremental publisher keeps between publications (and what it peaked at).
  std::printf("memory after the first publication: %s\n", Memory().c_str());

  std::vector<double> full_ms, inc_ms;
  int node = 0;
  auto add_node = [&](Time when) {
    const std::string host = "bench" + std::to_string(node++) + "." + dva + ".example";
    return Change(**store, when, [&](store::WriteTxn& w, const ops::Actor& a) {
      return ops::AddNode(w, a, dva, host);
    });
  };
  // The full publisher's first pass reads the certificates each current version carries
  // (Publisher::CarriesOurCertificates, once per version): not part of the comparison.
  t += std::chrono::seconds(2);
  if (Status st = add_node(t); !st.ok()) return Fail(st);
  if (auto w = Timed(full, t, 1, "warm-up (full, not counted)"); !w.ok()) return Fail(w.status());
  for (int round = 0; round < rounds; ++round) {
    t += std::chrono::seconds(2);
    if (Status st = add_node(t); !st.ok()) return Fail(st);
    auto f = Timed(full, t, 1, "node add -> publication, full");
    if (!f.ok()) return Fail(f.status());
    full_ms.push_back(*f);
    t += std::chrono::seconds(2);
    if (Status st = add_node(t); !st.ok()) return Fail(st);
    auto i = Timed(incremental, t, 1, "node add -> publication, incremental");
    if (!i.ok()) return Fail(i.status());
    inc_ms.push_back(*i);
  }
  t += std::chrono::seconds(2);
  if (Status st = Change(**store, t,
                         [&](store::WriteTxn& w, const ops::Actor& a) {
                           return ops::RemoveProvider(w, a, provider, "bench");
                         });
      !st.ok()) {
    return Fail(st);
  }
  auto p = Timed(incremental, t, 1, "provider remove -> ZAL, incremental");
  if (!p.ok()) return Fail(p.status());

  const double fm = Median(full_ms), im = Median(inc_ms);
  std::printf("median Whitelist change: full %.1f ms, incremental %.1f ms, ratio %.1fx\n", fm, im,
              im > 0 ? fm / im : 0.0);
  return 0;
}
