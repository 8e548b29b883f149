// The store side of the transparency-log and auditor-read benchmark (tlog_bench.sh).
//
//   medmij-tlog-bench append  --data-dir DIR --events N [--batch B] [--singles K]
//   medmij-tlog-bench proofs  --data-dir DIR [--samples K] [--leaves FILE]
//   medmij-tlog-bench stateat --data-dir DIR [--samples K] [--replays R]
//
// append: N journal events of the kind the admin CLI makes (node added or removed, participant
// status changed with its history, provider put), B events per write transaction, then K more
// events one commit each (the fsync an operator's command waits for). Prints one line each:
// "append N S" (seconds for the N) and "single K S". The same source is linked against the
// store built without the tree (medmij-tlog-bench-without-tree) and without the tree and the
// state history (medmij-tlog-bench-without-index), so the script prints what each costs.
//
// proofs: K inclusion proofs of random leaves in the whole tree and K consistency proofs from a
// random older size to it, each with its own read transaction as the service's proof endpoints
// do; prints "inclusion K S", "consistency K S" and "root HEX". --leaves writes every leaf (the
// stored events: a 4-byte big-endian length and the bytes) and a line "samples" of the
// indexes and old sizes used, for Go's tlog to redo the same proofs.
//
// stateat: StateAt at K random times over the journal's span, and the full replay
// (Store::ReplayStateAt) at the first R of them, checked equal; prints "stateat K S" and
// "replay R S".
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>

#include "registry/domain/json.h"
#include "registry/store/store.h"

namespace {

using namespace medmij;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "medmij-tlog-bench: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T OrDie(Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().message());
  return std::move(r).value();
}

const Time kStart = *ParseTime("2020-01-01T00:00:00Z", "start");

// Deterministic events over a registry of 2 000 participants, 8 000 hostnames, 10 000
// providers; event i happens at kStart + i minutes.
class EventMaker {
 public:
  void Fill(store::WriteTxn& w, uint64_t i) {
    const Time at = kStart + std::chrono::minutes(i);
    const uint32_t r = rng_();
    const std::string p = "participant-" + std::to_string(r % 2000);
    switch (r % 10) {
      case 0:
      case 1:
      case 2: {
        Participant rec = Base(p, at);
        auto old = w.GetParticipant(p);
        if (old.ok() && *old) rec = **old;
        const Lifecycle from = rec.status;
        rec.status = from == Lifecycle::kActive ? Lifecycle::kSuspended : Lifecycle::kActive;
        rec.status_history.push_back(
            StatusChange{from, rec.status, Provenance{at, "bench", "bench"}});
        if (rec.status_history.size() > 10) rec.status_history.erase(rec.status_history.begin());
        w.Put(rec);
        break;
      }
      case 3:
      case 4:
      case 5:
      case 6: {
        const std::string host = "node" + std::to_string((r >> 8) % 8000) + ".example.nl";
        auto old = w.GetNode(host);
        if (old.ok() && *old) {
          w.EraseNode(host);
        } else {
          w.Put(Node{host, p, Provenance{at, "bench", ""}});
        }
        break;
      }
      default: {
        Provider prov;
        prov.name = "zorg" + std::to_string((r >> 8) % 10000) + "@medmij";
        prov.dva = p;
        prov.identifiers = {{"agb", std::to_string(10000000 + r % 9000000)}};
        ProviderService s;
        s.service_id = std::to_string(r % 5);
        s.authorization_uri = "https://auth.example.nl/authorize";
        s.token_uri = "https://node.example.nl:8443/token";
        s.roles = {{"MM-1.0-PLB-FHIR", "https://node.example.nl/fhir"}};
        prov.services[s.service_id] = s;
        prov.added = Provenance{at, "bench", ""};
        w.Put(prov);
        break;
      }
    }
  }

  static store::EventMeta Meta(uint64_t i) {
    return store::EventMeta{kStart + std::chrono::minutes(i), "bench", "bench", "participant:x",
                            "bench"};
  }

 private:
  static Participant Base(const std::string& id, Time at) {
    Participant p;
    p.id = id;
    p.legal_name = "Deelnemer " + id + " B.V.";
    p.kvk = "12345678";
    p.email = "ops@" + id + ".example.nl";
    p.roles = {Role::kDva};
    p.enrolled = Provenance{at, "bench", "enrol"};
    return p;
  }

  std::mt19937 rng_{42};
};

int Append(const std::string& dir, uint64_t events, uint64_t batch, uint64_t singles) {
  auto store = OrDie(store::Store::Open(dir), "open");
  uint64_t next = OrDie(OrDie(store->BeginRead(), "read")->JournalLength(), "length");
  EventMaker maker;
  auto start = Clock::now();
  for (uint64_t done = 0; done < events;) {
    auto w = OrDie(store->BeginWrite(), "begin");
    const uint64_t n = std::min(batch, events - done);
    for (uint64_t k = 0; k < n; ++k) {
      maker.Fill(*w, next);
      if (k + 1 < n) {
        w->AppendEvent(EventMaker::Meta(next));
      } else {
        OrDie(w->Commit(EventMaker::Meta(next)), "commit");
      }
      ++next;
    }
    done += n;
  }
  std::printf("append %llu %.6f\n", static_cast<unsigned long long>(events), Since(start));
  start = Clock::now();
  for (uint64_t k = 0; k < singles; ++k) {
    auto w = OrDie(store->BeginWrite(), "begin");
    maker.Fill(*w, next);
    OrDie(w->Commit(EventMaker::Meta(next)), "commit");
    ++next;
  }
  std::printf("single %llu %.6f\n", static_cast<unsigned long long>(singles), Since(start));
  return 0;
}

int Proofs(const std::string& dir, uint64_t samples, const std::string& leaves) {
  store::OpenOptions ro;
  ro.read_only = true;
  auto store = OrDie(store::Store::Open(dir, ro), "open");
  const uint64_t n = OrDie(OrDie(store->BeginRead(), "read")->JournalLength(), "length");
  if (n < 2) Die("the journal needs at least 2 events");
  std::mt19937_64 rng(7);
  std::vector<uint64_t> index(samples), old_size(samples);
  for (uint64_t k = 0; k < samples; ++k) {
    index[k] = rng() % n;
    old_size[k] = 1 + rng() % (n - 1);
  }
  size_t hashes = 0;
  // One untimed pass of both kinds first, so neither pays for the first page faults.
  {
    auto r = OrDie(store->BeginRead(), "read");
    for (uint64_t k = 0; k < samples; ++k) {
      OrDie(r->InclusionProof(index[k], n), "inclusion proof");
      OrDie(r->ConsistencyProof(old_size[k], n), "consistency proof");
    }
  }
  auto start = Clock::now();
  for (uint64_t k = 0; k < samples; ++k) {
    auto r = OrDie(store->BeginRead(), "read");
    hashes += OrDie(r->InclusionProof(index[k], n), "inclusion proof").size();
  }
  std::printf("inclusion %llu %.6f\n", static_cast<unsigned long long>(samples), Since(start));
  start = Clock::now();
  for (uint64_t k = 0; k < samples; ++k) {
    auto r = OrDie(store->BeginRead(), "read");
    hashes += OrDie(r->ConsistencyProof(old_size[k], n), "consistency proof").size();
  }
  std::printf("consistency %llu %.6f\n", static_cast<unsigned long long>(samples), Since(start));
  const merkle::Hash root = OrDie(OrDie(store->BeginRead(), "read")->TreeHash(n), "tree hash");
  std::string hex;
  for (unsigned char c : root) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[c >> 4];
    hex += kHex[c & 0xf];
  }
  std::printf("root %s\nproof_hashes %zu\n", hex.c_str(), hashes);
  if (!leaves.empty()) {
    std::ofstream out(leaves, std::ios::binary | std::ios::trunc);
    auto r = OrDie(store->BeginRead(), "read");
    Status st = r->ForEachStoredEvent(1, [&](const store::JournalEvent&, std::string_view b) {
      const uint32_t size = static_cast<uint32_t>(b.size());
      const char len[4] = {static_cast<char>(size >> 24), static_cast<char>(size >> 16),
                           static_cast<char>(size >> 8), static_cast<char>(size)};
      out.write(len, 4);
      out.write(b.data(), static_cast<std::streamsize>(b.size()));
      return true;
    });
    if (!st.ok()) Die("leaves: " + st.message());
    std::ofstream s(leaves + ".samples", std::ios::trunc);
    for (uint64_t k = 0; k < samples; ++k) s << index[k] << ' ' << old_size[k] << '\n';
    if (!out || !s) Die("cannot write " + leaves);
  }
  return 0;
}

int StateAt(const std::string& dir, uint64_t samples, uint64_t replays) {
  store::OpenOptions ro;
  ro.read_only = true;
  auto store = OrDie(store::Store::Open(dir, ro), "open");
  const uint64_t n = OrDie(OrDie(store->BeginRead(), "read")->JournalLength(), "length");
  std::mt19937_64 rng(9);
  std::vector<Time> times(samples);
  for (Time& t : times) t = kStart + std::chrono::minutes(rng() % (n + 1));
  std::vector<std::string> fast(samples);
  size_t records = 0;
  auto encode = [](const RegistryState& s) {
    nlohmann::json j;
    j["participants"] = s.participants;
    j["nodes"] = s.nodes;
    j["providers"] = s.providers;
    return j.dump();
  };
  double fast_s = 0;
  for (uint64_t k = 0; k < samples; ++k) {
    auto start = Clock::now();
    RegistryState s = OrDie(store->StateAt(times[k]), "StateAt");
    fast_s += Since(start);
    records += s.participants.size() + s.nodes.size() + s.providers.size();
    fast[k] = encode(s);
  }
  std::printf("stateat %llu %.6f\n", static_cast<unsigned long long>(samples), fast_s);
  double replay = 0;
  replays = std::min(replays, samples);
  for (uint64_t k = 0; k < replays; ++k) {
    auto start = Clock::now();
    RegistryState s = OrDie(store->ReplayStateAt(times[k]), "ReplayStateAt");
    replay += Since(start);
    if (encode(s) != fast[k]) Die("StateAt differs from the replay at " + FormatTime(times[k]));
  }
  std::printf("replay %llu %.6f\nrecords %zu\n", static_cast<unsigned long long>(replays), replay,
              records);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Store side of the transparency-log benchmark (tlog_bench.sh)."};
  app.require_subcommand(1);
  std::string dir, leaves;
  uint64_t events = 100000, batch = 100, singles = 200, samples = 1000, replays = 3;
  CLI::App* append = app.add_subcommand("append", "write events");
  append->add_option("--data-dir", dir)->required();
  append->add_option("--events", events);
  append->add_option("--batch", batch)->check(CLI::PositiveNumber);
  append->add_option("--singles", singles);
  CLI::App* proofs = app.add_subcommand("proofs", "time inclusion and consistency proofs");
  proofs->add_option("--data-dir", dir)->required();
  proofs->add_option("--samples", samples)->check(CLI::PositiveNumber);
  proofs->add_option("--leaves", leaves);
  CLI::App* stateat = app.add_subcommand("stateat", "time StateAt against the replay");
  stateat->add_option("--data-dir", dir)->required();
  stateat->add_option("--samples", samples)->check(CLI::PositiveNumber);
  stateat->add_option("--replays", replays, "how many of the samples to replay as well");
  CLI11_PARSE(app, argc, argv);
  if (append->parsed()) return Append(dir, events, batch, singles);
  if (proofs->parsed()) return Proofs(dir, samples, leaves);
  return StateAt(dir, samples, replays);
}
