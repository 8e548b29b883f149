// IncrementalLists against the full derivation: long random sequences of the ops layer's
// commands (and clock advances across lapse instants), each followed by an incremental update
// that must give, byte for byte, what lists::Derive gives from a fresh snapshot.
#include "registry/publisher/incremental.h"

#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "registry/domain/policy.h"
#include "registry/lists/lists.h"
#include "registry/ops/ops.h"
#include "tests/unit/lists/test_state.h"

namespace medmij::publisher {
namespace {

namespace fs = std::filesystem;
using medmij::testing::kT0;

class IncrementalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/medmij-incremental-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    store_ = std::move(store::Store::Open(dir_ / "db")).value();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // Runs `op` in one write transaction at now_ and commits it when it succeeds; a refused op
  // changes nothing (the transaction is aborted).
  bool Do(const std::function<Status(store::WriteTxn&, const ops::Actor&)>& op,
          const std::string& who = "alice") {
    auto w = std::move(store_->BeginWrite()).value();
    ops::Actor a{who, now_};
    if (Status st = op(*w, a); !st.ok()) {
      if (getenv("INCREMENTAL_DEBUG")) fprintf(stderr, "refused: %s\n", st.message().c_str());
      return false;
    }
    return w->Commit(store::EventMeta{now_, who, "test", "random", ""}).ok();
  }

  // After an update at now_: every list equals the full derivation from a fresh snapshot, and
  // the next standing change equals the full computation's.
  void ExpectEqualToFull(IncrementalLists& inc, const std::string& where) {
    auto read = std::move(store_->BeginRead()).value();
    RegistryState state = read->LoadState().value();
    for (ListKind list : kAllLists) {
      SCOPED_TRACE(where + " " + std::string(ToString(list)));
      lists::ListContent full = lists::Derive(list, state, now_);
      lists::ListContent mine = inc.Content(list);
      ASSERT_EQ(mine.entries_xml, full.entries_xml);
      ASSERT_EQ(inc.Digest(list), full.digest);
      ASSERT_EQ(inc.EntryCount(list), full.entry_count);
    }
    std::optional<Time> next;
    for (const auto& [id, p] : state.participants) {
      auto n = policy::NextStandingChange(p, now_);
      if (n && (!next || *n < *next)) next = n;
    }
    ASSERT_EQ(inc.NextStandingChange(), next) << where;
  }

  // A random run of `steps` steps (RandomRun below).
  void RunSeed(uint64_t seed, int steps);

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  Time now_ = kT0;
  int step_ = 0;
};

// Lower-case letters only (a Zorgaanbiedernaam is ([a-z])+@medmij).
std::string Letters(size_t n) {
  std::string s = "zorg";
  do {
    s += static_cast<char>('a' + n % 26);
    n /= 26;
  } while (n != 0);
  return s;
}

struct RandomRun {
  std::mt19937_64 rng;
  explicit RandomRun(uint64_t seed) : rng(seed) {}
  size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); }
  bool Chance(unsigned percent) { return Below(100) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }
};

// The participants of a run: DVAs, DVPs and one with both roles.
const std::vector<std::string> kIds = {"dva-a", "dva-b", "dva-c", "dvp-a", "dvp-b", "both-a"};
std::vector<std::string> RolesOf(const std::string& id) {
  if (id.starts_with("dva")) return {"dva"};
  if (id.starts_with("dvp")) return {"dvp"};
  return {"dva", "dvp"};
}
std::string HostOf(const std::string& id, size_t n) {
  return "n" + std::to_string(n) + "." + id + ".example";
}

void IncrementalTest::RunSeed(uint64_t seed, int steps) {
  RandomRun r(seed);
  IncrementalLists inc;
  std::map<std::string, int> done;  // successful commands by kind
  size_t next_service = 2;
  size_t next_provider = 0;
  size_t lapses_crossed = 0;
  bool terminated = false;
  // The state as it is now, to pick existing records from.
  auto snapshot = [&] { return std::move(store_->BeginRead()).value()->LoadState().value(); };
  auto keys = [](const auto& table) {
    std::vector<std::string> out;
    for (const auto& [key, value] : table) out.push_back(key);
    return out;
  };
  // Every participant starts active, with evidence that lapses within the run (certificates
  // in 10 to 40 days, audit statements 300 to 340 days old), two nodes, and DVAs qualified for
  // the first data service.
  ASSERT_TRUE(Do([](auto& w, auto& a) { return ops::AddService(w, a, "1", "Basisgegevens"); }));
  for (const std::string& id : kIds) {
    const Time until = now_ + Days(static_cast<int>(10 + r.Below(30)));
    const Time audit = now_ - Days(static_cast<int>(300 + r.Below(40)));
    ASSERT_TRUE(Do([&](auto& w, auto& a) {
      MEDMIJ_RETURN_IF_ERROR(ops::Enrol(w, a, {id, "Org " + id, "12345678", "", RolesOf(id)}));
      MEDMIJ_RETURN_IF_ERROR(ops::AddCertificate(
          w, a, {id, "NEN-" + id, "Certifier BV", true, true, now_ - Days(30), until, ""}));
      MEDMIJ_RETURN_IF_ERROR(
          ops::AddAuditStatement(w, a, {id, audit, "Audit BV", "conform", true}));
      MEDMIJ_RETURN_IF_ERROR(ops::GrantLabel(w, a, id, ""));
      MEDMIJ_RETURN_IF_ERROR(ops::Activate(w, a, id, ""));
      MEDMIJ_RETURN_IF_ERROR(ops::AddNode(w, a, id, HostOf(id, 0)));
      MEDMIJ_RETURN_IF_ERROR(ops::AddNode(w, a, id, HostOf(id, 1)));
      if (id.starts_with("dvp")) return Status::Ok();
      return ops::AddQualification(w, a, id, "1");
    }));
  }
  std::vector<std::string> services = {"1"};

  std::vector<std::string> ids = kIds;  // grows with "enrol"
  auto participant = [&] { return r.Pick(ids); };
  auto with_role = [&](const char* role) {
    std::vector<std::string> v;
    for (const std::string& id : ids) {
      if (id.starts_with(role) || id.starts_with("both")) v.push_back(id);
    }
    return r.Pick(v);
  };
  auto dva = [&] { return with_role("dva"); };
  // A participant with `role` in good standing now, other than `besides` (empty: none).
  auto good_with_role = [&](const RegistryState& st, Role role, const std::string& besides) {
    std::vector<std::string> v;
    for (const auto& [id, p] : st.participants) {
      if (id != besides && p.HasRole(role) && policy::EvaluateStanding(p, now_).good) {
        v.push_back(id);
      }
    }
    return v.empty() ? std::string() : r.Pick(v);
  };
  auto dvp = [&] { return with_role("dvp"); };
  auto service_input = [&](const std::string& provider, const std::string& owner) {
    ops::ProviderServiceInput s;
    s.provider = provider;
    // Mostly a service the DVA is qualified for, at one of its nodes (else refused).
    const RegistryState st = snapshot();
    std::vector<std::string> qualified;
    if (auto p = st.participants.find(owner); p != st.participants.end()) {
      for (const std::string& q : p->second.QualifiedServices()) qualified.push_back(q);
    }
    s.service_id = qualified.empty() || r.Chance(10) ? r.Pick(services) : r.Pick(qualified);
    std::vector<std::string> hosts;
    for (const auto& [host, n] : st.nodes) {
      if (n.participant == owner) hosts.push_back(host);
    }
    const std::string host = hosts.empty() ? HostOf(owner, 0) : r.Pick(hosts);
    s.authorization_uri = "https://front." + owner + ".example/authorize";
    s.token_uri = "https://" + host + "/token";
    s.roles = {{"MM-1.0.0-BZB-FHIR", "https://" + host + "/fhir"}};
    if (r.Chance(70)) s.interface_versions = {r.Chance(50) ? "1.4.0" : "2.0.0"};
    if (r.Chance(30)) s.subscription = ops::SubscriptionInput{30, "https://" + host + "/sub"};
    return s;
  };

  using Command = std::function<bool()>;
  const std::vector<std::pair<std::string, Command>> commands = {
      // Chosen more often than the others (see `weights`), so that many participants are in
      // good standing at most times and the lapses keep coming.
      {"evidence renew",
       [&] {
         const std::string id = participant();
         const Time until = now_ + std::chrono::hours(1 + static_cast<int>(r.Below(24 * 40)));
         const Time date = now_ - Days(static_cast<int>(r.Below(60)));
         return Do([&](auto& w, auto& a) {
           MEDMIJ_RETURN_IF_ERROR(ops::AddCertificate(
               w, a, {id, "NEN-2" + id, "Certifier BV", true, true, now_ - Days(1), until, ""}));
           return ops::AddAuditStatement(w, a, {id, date, "Audit BV", "conform", true});
         });
       }},
      {"enrol",
       [&] {
         if (ids.size() >= kIds.size() + 6) return false;
         const std::string id = (r.Chance(50) ? "dva-new" : "dvp-new") + std::to_string(ids.size());
         if (!Do([&](auto& w, auto& a) {
               return ops::Enrol(w, a, {id, "Org " + id, "12345678", "", RolesOf(id)});
             })) {
           return false;
         }
         ids.push_back(id);
         return true;
       }},
      {"certificate add",
       [&] {
         const std::string id = participant();
         const Time from = now_ - Days(static_cast<int>(r.Below(60)));
         const Time until = now_ + std::chrono::hours(1 + static_cast<int>(r.Below(24 * 40)));
         return Do([&](auto& w, auto& a) {
           return ops::AddCertificate(w, a,
                                      {id, "NEN-" + std::to_string(r.Below(1000)), "Certifier BV",
                                       true, true, from, until, ""});
         });
       }},
      {"audit add",
       [&] {
         const std::string id = participant();
         // Some near the end of the 365-day window, so that they lapse during the run.
         const Time date =
             now_ - Days(static_cast<int>(r.Chance(30) ? 340 + r.Below(25) : r.Below(60)));
         const std::string outcome = r.Chance(85) ? "conform" : "nonconform";
         return Do([&](auto& w, auto& a) {
           return ops::AddAuditStatement(w, a, {id, date, "Audit BV", outcome, true});
         });
       }},
      {"label grant",
       [&] {
         const std::string id = participant();
         return Do([&](auto& w, auto& a) { return ops::GrantLabel(w, a, id, ""); });
       }},
      {"label withdraw",
       [&] {
         const std::string id = participant();
         return Do([&](auto& w, auto& a) { return ops::WithdrawLabel(w, a, id, "test"); });
       }},
      {"activate",
       [&] {
         // A candidate, given fresh evidence and the label first (each its own commit).
         std::vector<std::string> candidates;
         for (const auto& [id, p] : snapshot().participants) {
           if (p.status == Lifecycle::kCandidate) candidates.push_back(id);
         }
         if (candidates.empty()) return false;
         const std::string id = r.Pick(candidates);
         const Time until = now_ + std::chrono::hours(1 + static_cast<int>(r.Below(24 * 30)));
         Do([&](auto& w, auto& a) {
           return ops::AddCertificate(
               w, a, {id, "NEN-1" + id, "Certifier BV", true, true, now_ - Days(1), until, ""});
         });
         Do([&](auto& w, auto& a) {
           return ops::AddAuditStatement(w, a, {id, now_ - Days(1), "Audit BV", "conform", true});
         });
         Do([&](auto& w, auto& a) { return ops::GrantLabel(w, a, id, ""); });
         return Do([&](auto& w, auto& a) { return ops::Activate(w, a, id, ""); });
       }},
      {"suspend",
       [&] {
         const std::string id = participant();
         return Do([&](auto& w, auto& a) { return ops::Suspend(w, a, id, "test"); });
       }},
      {"reinstate",
       [&] {
         std::vector<std::string> suspended;
         for (const auto& [id, p] : snapshot().participants) {
           if (p.status == Lifecycle::kSuspended) suspended.push_back(id);
         }
         if (suspended.empty()) return false;
         const std::string id = r.Pick(suspended);
         return Do([&](auto& w, auto& a) { return ops::Reinstate(w, a, id, "test"); });
       }},
      {"termination",
       [&] {
         // Once, late: a terminated participant stays so, and refuses most commands.
         if (terminated || step_ < steps * 3 / 4) return false;
         const std::string id = "dvp-b";
         std::string request;
         if (!Do([&](auto& w, auto& a) {
               auto req = ops::RequestTermination(w, a, id, "test");
               if (req.ok()) request = *req;
               return req.status();
             })) {
           return false;
         }
         terminated =
             Do([&](auto& w, auto& a) { return ops::ApproveTermination(w, a, request).status(); },
                "bob");
         return terminated;
       }},
      {"case suspension",
       [&] {
         const std::string id = participant();
         std::string case_id;
         if (!Do([&](auto& w, auto& a) {
               auto c = ops::OpenCase(w, a, id, "audit", "finding");
               if (c.ok()) case_id = *c;
               return c.status();
             })) {
           return false;
         }
         return Do([&](auto& w, auto& a) {
           return ops::StepCase(w, a, case_id, "suspension", "test", std::nullopt, true).status();
         });
       }},
      {"node add",
       [&] {
         const std::string id = participant();
         const std::string host = HostOf(id, r.Below(4));
         return Do([&](auto& w, auto& a) { return ops::AddNode(w, a, id, host); });
       }},
      {"node remove",
       [&] {
         const RegistryState st = snapshot();
         if (st.nodes.empty()) return false;
         const Node n = st.nodes.at(r.Pick(keys(st.nodes)));
         return Do(
             [&](auto& w, auto& a) { return ops::RemoveNode(w, a, n.participant, n.hostname); });
       }},
      {"oauth add",
       [&] {
         const std::string id = dvp();
         const std::string host = "app" + std::to_string(r.Below(3)) + "." + id + ".example";
         return Do([&](auto& w, auto& a) {
           return ops::AddOAuthClient(w, a, id, host, "App " + id + " & Co");
         });
       }},
      {"oauth remove",
       [&] {
         const RegistryState st = snapshot();
         if (st.oauth_clients.empty()) return false;
         const OAuthClient c = st.oauth_clients.at(r.Pick(keys(st.oauth_clients)));
         return Do([&](auto& w, auto& a) {
           return ops::RemoveOAuthClient(w, a, c.participant, c.hostname);
         });
       }},
      {"oauth transfer",
       [&] {
         const RegistryState st = snapshot();
         if (st.oauth_clients.empty()) return false;
         const std::string host = r.Pick(keys(st.oauth_clients));
         const std::string to =
             good_with_role(st, Role::kDvp, st.oauth_clients.at(host).participant);
         if (to.empty()) return false;
         return Do(
             [&](auto& w, auto& a) { return ops::TransferOAuthClient(w, a, host, to, "test"); });
       }},
      {"service add",
       [&] {
         const std::string id = std::to_string(next_service);
         if (!Do([&](auto& w, auto& a) { return ops::AddService(w, a, id, "Dienst " + id); })) {
           return false;
         }
         ++next_service;
         services.push_back(id);
         return true;
       }},
      {"qualification add",
       [&] {
         const std::string id = dva();
         const std::string s = r.Pick(services);
         return Do([&](auto& w, auto& a) { return ops::AddQualification(w, a, id, s); });
       }},
      {"qualification withdraw",
       [&] {
         const std::string id = dva();
         const std::string s = r.Pick(services);
         return Do(
             [&](auto& w, auto& a) { return ops::WithdrawQualification(w, a, id, s, "test"); });
       }},
      {"provider add",
       [&] {
         const std::string owner = dva();
         const std::string name = Letters(next_provider) + "@medmij";
         ops::ProviderInput in;
         in.name = name;
         in.dva = owner;
         in.type = r.Chance(50) ? "ZA" : "BAZB";
         if (r.Chance(80)) in.identifiers["agb"] = "0" + std::to_string(1000000 + r.Below(9000000));
         if (r.Chance(30)) in.identifiers["ura"] = std::to_string(10000000 + r.Below(80000000));
         for (size_t k = r.Below(3); k > 0; --k) in.services.push_back(service_input(name, owner));
         if (!Do([&](auto& w, auto& a) { return ops::AddProvider(w, a, in); })) return false;
         ++next_provider;
         return true;
       }},
      {"provider remove",
       [&] {
         const RegistryState st = snapshot();
         if (st.providers.size() < 3) return false;  // keep a few
         const std::string name = r.Pick(keys(st.providers));
         return Do([&](auto& w, auto& a) { return ops::RemoveProvider(w, a, name, "test"); });
       }},
      {"provider service put",
       [&] {
         const RegistryState st = snapshot();
         if (st.providers.empty()) return false;
         const Provider& p = st.providers.at(r.Pick(keys(st.providers)));
         ops::ProviderServiceInput in = service_input(p.name, p.dva);
         return Do([&](auto& w, auto& a) { return ops::PutProviderService(w, a, in); });
       }},
      {"provider service remove",
       [&] {
         const RegistryState st = snapshot();
         if (st.providers.empty()) return false;
         const Provider& p = st.providers.at(r.Pick(keys(st.providers)));
         if (p.services.empty()) return false;
         const std::string name = p.name;
         const std::string s = r.Pick(keys(p.services));
         return Do([&](auto& w, auto& a) { return ops::RemoveProviderService(w, a, name, s); });
       }},
      {"provider set",
       [&] {
         const RegistryState st = snapshot();
         if (st.providers.empty()) return false;
         ops::ProviderUpdate u;
         u.name = r.Pick(keys(st.providers));
         if (r.Chance(50)) u.type = r.Chance(50) ? "ZA" : "BAZB";
         u.identifiers["agb"] =
             r.Chance(20) ? "" : "0" + std::to_string(1000000 + r.Below(9000000));
         return Do([&](auto& w, auto& a) { return ops::UpdateProvider(w, a, u); });
       }},
      {"provider service set",
       [&] {
         const RegistryState st = snapshot();
         if (st.providers.empty()) return false;
         const Provider& p = st.providers.at(r.Pick(keys(st.providers)));
         if (p.services.empty()) return false;
         ops::ProviderServiceUpdate u;
         u.provider = p.name;
         u.service_id = r.Pick(keys(p.services));
         if (r.Chance(50)) {
           u.interface_versions = r.Chance(30) ? std::vector<std::string>{}
                                               : std::vector<std::string>{"1.4.0", "2.0.0"};
         } else if (r.Chance(50)) {
           u.subscription_max_days = static_cast<int64_t>(1 + r.Below(365));
         } else {
           u.remove_subscription = true;
         }
         return Do([&](auto& w, auto& a) { return ops::UpdateProviderService(w, a, u); });
       }},
      {"provider transfer",
       [&] {
         const RegistryState st = snapshot();
         // Those without data services first: a back-channel host must be a node of the new DVA.
         std::vector<std::string> movable;
         for (const auto& [name, p] : st.providers) {
           if (p.services.empty()) movable.push_back(name);
         }
         if (movable.empty()) movable = keys(st.providers);
         if (movable.empty()) return false;
         const std::string name = r.Pick(movable);
         const std::string to = good_with_role(st, Role::kDva, st.providers.at(name).dva);
         if (to.empty()) return false;
         return Do([&](auto& w, auto& a) { return ops::TransferProvider(w, a, name, to, "test"); });
       }},
  };

  std::vector<double> weights(commands.size(), 1.0);
  weights[0] = 6.0;  // evidence renew
  std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
  for (step_ = 0; step_ < steps; ++step_) {
    const int step = step_;
    // One to three commands, then sometimes the clock moves: by minutes, by days, or exactly to
    // (or just past) the next lapse instant.
    const size_t n = 1 + r.Below(3);
    for (size_t k = 0; k < n; ++k) {
      const auto& [kind, command] = commands[pick(r.rng)];
      if (command()) ++done[kind];
    }
    if (r.Chance(35)) {
      const std::optional<Time> next = inc.NextStandingChange();
      if (next && r.Chance(50)) {
        now_ = *next + Millis(r.Chance(50) ? 0 : static_cast<int64_t>(r.Below(5000)));
        ++lapses_crossed;
      } else {
        now_ += r.Chance(70) ? std::chrono::minutes(static_cast<int>(1 + r.Below(120)))
                             : std::chrono::hours(static_cast<int>(1 + r.Below(24 * 5)));
      }
    }
    auto read = std::move(store_->BeginRead()).value();
    auto info = inc.Update(*read, now_);
    read.reset();
    ASSERT_TRUE(info.ok()) << info.status().message();
    if (step == 0) {
      EXPECT_TRUE(info->rebuilt);
    } else {
      ASSERT_FALSE(info->rebuilt) << "step " << step << ": " << info->why;
    }
    ExpectEqualToFull(inc, "seed " + std::to_string(seed) + " step " + std::to_string(step));
    if (::testing::Test::HasFatalFailure()) break;
  }
  // Every kind of command took effect at least once, and lapses were crossed.
  for (const auto& [kind, command] : commands) {
    EXPECT_GT(done[kind], 0) << "seed " << seed << ": no successful '" << kind << "'";
  }
  EXPECT_GT(lapses_crossed, 5u);
}

TEST_F(IncrementalTest, RandomSeed1) {
  RunSeed(1, 400);
}
TEST_F(IncrementalTest, RandomSeed2) {
  RunSeed(2, 400);
}
TEST_F(IncrementalTest, RandomSeed3) {
  RunSeed(3, 400);
}

// Doubt rebuilds: the clock going back, another journal (another data dir), Invalidate().
TEST_F(IncrementalTest, DoubtRebuildsFully) {
  ASSERT_TRUE(Do([](auto& w, auto& a) { return ops::AddService(w, a, "1", "Basisgegevens"); }));
  IncrementalLists inc;
  auto update = [&](store::Store& s, Time at) {
    auto read = std::move(s.BeginRead()).value();
    return inc.Update(*read, at).value();
  };
  EXPECT_TRUE(update(*store_, now_).rebuilt);
  EXPECT_FALSE(update(*store_, now_).rebuilt);
  auto back = update(*store_, now_ - Millis(1));
  EXPECT_TRUE(back.rebuilt);
  EXPECT_EQ(back.why, "the clock went back");

  auto other = std::move(store::Store::Open(dir_ / "other")).value();
  {
    auto w = std::move(other->BeginWrite()).value();
    ASSERT_TRUE(ops::AddService(*w, {"bob", now_}, "7", "Andere dienst").ok());
    ASSERT_TRUE(ops::AddService(*w, {"bob", now_}, "8", "Nog een").ok());
    ASSERT_TRUE(w->Commit({now_, "bob", "test", "", ""}).ok());
  }
  auto switched = update(*other, now_);
  EXPECT_TRUE(switched.rebuilt);
  EXPECT_NE(switched.why.find("another journal"), std::string::npos) << switched.why;
  EXPECT_NE(inc.Content(ListKind::kGegevensdienstnamenlijst).entries_xml.find("Andere dienst"),
            std::string::npos);

  inc.Invalidate();
  auto invalidated = update(*other, now_);
  EXPECT_TRUE(invalidated.rebuilt);
  EXPECT_EQ(invalidated.why, "invalidated");

  // Same first event, then another history: the log's tree hash over the events applied
  // differs.
  auto fork = std::move(store::Store::Open(dir_ / "fork")).value();
  for (auto [id, name] : {std::pair{"1", "Basisgegevens"}, {"3", "Derde"}, {"5", "Vijfde"}}) {
    // Event 1 byte for byte as Do() wrote it into store_, then others.
    auto w = std::move(fork->BeginWrite()).value();
    ASSERT_TRUE(ops::AddService(*w, {"alice", now_}, id, name).ok());
    ASSERT_TRUE(w->Commit(store::EventMeta{now_, "alice", "test", "random", ""}).ok());
  }
  ASSERT_TRUE(Do([](auto& w, auto& a) { return ops::AddService(w, a, "2", "Tweede"); }));
  EXPECT_TRUE(update(*store_, now_).rebuilt);  // followed `other` last
  ASSERT_TRUE(Do([](auto& w, auto& a) { return ops::AddService(w, a, "4", "Vierde"); }));
  EXPECT_FALSE(update(*store_, now_).rebuilt);
  auto forked = update(*fork, now_);
  EXPECT_TRUE(forked.rebuilt);
  EXPECT_NE(forked.why.find("the journal changed"), std::string::npos) << forked.why;
}

}  // namespace
}  // namespace medmij::publisher
