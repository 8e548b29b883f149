#include "tests/bench/gen_registry.h"

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <vector>

namespace medmij::bench {
namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  // Uniform in [0, n). REQUIRES: n > 0.
  size_t Below(size_t n) { return static_cast<size_t>(engine_() % n); }
  bool Percent(unsigned p) { return Below(100) < p; }

 private:
  std::mt19937_64 engine_;
};

constexpr std::array<const char*, 12> kServiceNames = {"Basisgegevens Zorg",
                                                       "Medicatieoverzichten",
                                                       "Medicatiegegevens",
                                                       "Laboratoriumresultaten",
                                                       "Meetwaarden vitale functies",
                                                       "Documenten",
                                                       "Afspraken",
                                                       "Verpleegkundige overdracht",
                                                       "Huisartsgegevens",
                                                       "Geboortezorg",
                                                       "Integrale Oncologische Zorg",
                                                       "Langdurige zorg"};
constexpr std::array<const char*, 12> kServiceCodes = {"BGZ", "MO", "MG", "LAB", "VF",  "PDF",
                                                       "AFS", "VO", "HA", "GBZ", "IOZ", "LZ"};
constexpr std::array<const char*, 8> kProviderWords = {
    "ziekenhuis", "huisarts", "apotheek", "tandarts", "fysio", "ggz", "kliniek", "verloskunde"};

Provenance By(Time at) {
  return Provenance{at, "bench", "generated"};
}

// Six lowercase letters for `i` (26^6 distinct values): provider names are [a-z]+@medmij.
std::string Letters(size_t i) {
  std::string s(6, 'a');
  for (int k = 5; k >= 0; --k) {
    s[static_cast<size_t>(k)] = static_cast<char>('a' + i % 26);
    i /= 26;
  }
  return s;
}

std::string Padded(size_t i, int width) {
  std::string s = std::to_string(i);
  return std::string(static_cast<size_t>(std::max(0, width - static_cast<int>(s.size()))), '0') + s;
}

void AddEvidence(Participant& p, Time at, Rng& rng, bool excluded, size_t i) {
  p.status = Lifecycle::kActive;
  p.enrolled = By(at - Days(700));
  p.status_history.push_back({Lifecycle::kCandidate, Lifecycle::kActive, By(at - Days(600))});
  Certificate c;
  c.number = "NEN7510-" + Padded(i, 5);
  c.body = i % 2 ? "BSI Group The Netherlands B.V." : "DEKRA Certification B.V.";
  c.accredited = true;
  c.registered = true;
  c.valid_from = at - Days(365 + static_cast<int>(rng.Below(300)));
  c.valid_until = c.valid_from + Days(3 * 365);
  c.scope = "Dienstverlening binnen het MedMij-netwerk";
  c.recorded = By(c.valid_from);
  p.certificates.push_back(c);
  AuditStatement a;
  a.date = at - Days(10 + static_cast<int>(rng.Below(300)));
  a.auditor = "Audit & Assurance B.V.";
  a.outcome = AuditOutcome::kConform;
  a.pentest = true;
  a.recorded = By(a.date);
  p.audit_statements.push_back(a);
  p.labels.push_back({true, By(at - Days(500))});
  if (!excluded) return;
  switch (i % 4) {
    case 0:
      p.status = Lifecycle::kSuspended;
      p.status_history.push_back({Lifecycle::kActive, Lifecycle::kSuspended, By(at - Days(5))});
      break;
    case 1:
      p.certificates.back().valid_until = at - Days(3);
      break;
    case 2:
      p.audit_statements.back().date = at - Days(400);
      break;
    default:
      p.labels.push_back({false, By(at - Days(20))});
      break;
  }
}

}  // namespace

RegistryState GenerateRegistry(const GenOptions& o) {
  RegistryState s;
  Rng rng(o.seed);
  const size_t n_services = std::min(o.services, kServiceNames.size());
  for (size_t i = 0; i < n_services; ++i) {
    std::string id = std::to_string(i + 1);
    s.services[id] = DataService{id, kServiceNames[i], By(o.at - Days(900))};
  }

  std::vector<std::string> dvas;
  std::vector<std::vector<std::string>> dva_nodes;
  for (size_t i = 0; i < std::max<size_t>(o.participants, 2); ++i) {
    Participant p;
    // 60 % DVA, 30 % DVP, 10 % both; participant 0 is a DVA, participant 1 a DVP.
    const size_t kind = i % 10;
    const bool dvp = kind == 1 || kind == 4 || kind == 7 || kind == 9;
    const bool dva = !dvp || kind == 9;
    p.id = std::string(dva && dvp ? "both-" : dva ? "dva-" : "dvp-") + Padded(i, 4);
    if (dva) p.roles.insert(Role::kDva);
    if (dvp) p.roles.insert(Role::kDvp);
    p.legal_name = (dva ? "XIS Leverancier " : "PGO Aanbieder ") + Padded(i, 4) + " B.V.";
    p.kvk = Padded(10000000 + i * 37, 8);
    p.email = "registry@" + p.id + ".example.nl";
    AddEvidence(p, o.at, rng, i > 1 && rng.Percent(o.excluded_percent), i);
    if (dva) {
      std::vector<std::string> hosts;
      size_t n = 2 + rng.Below(3);
      for (size_t k = 0; k < n; ++k) {
        std::string host = "xis" + std::to_string(k + 1) + "." + p.id + ".example.nl";
        s.nodes[host] = Node{host, p.id, By(o.at - Days(400))};
        hosts.push_back(host);
      }
      // Qualified for 3..8 services; now and then one withdrawn again.
      size_t q = std::min(n_services, 3 + rng.Below(6));
      size_t first = rng.Below(n_services);
      for (size_t k = 0; k < q; ++k) {
        std::string id = std::to_string((first + k) % n_services + 1);
        p.qualifications.push_back({id, true, By(o.at - Days(450))});
      }
      if (rng.Percent(10)) {
        p.qualifications.push_back({std::to_string(first + 1), false, By(o.at - Days(30))});
      }
      dvas.push_back(p.id);
      dva_nodes.push_back(std::move(hosts));
    }
    if (dvp) {
      size_t n = 1 + rng.Below(2);
      for (size_t k = 0; k < n; ++k) {
        std::string host = "pgo" + std::to_string(k + 1) + "." + p.id + ".example.nl";
        s.nodes[host] = Node{host, p.id, By(o.at - Days(400))};
      }
      size_t c = 1 + rng.Below(3);
      for (size_t k = 0; k < c; ++k) {
        std::string host = "app" + std::to_string(k + 1) + "." + p.id + ".example.nl";
        s.oauth_clients[host] =
            OAuthClient{host, p.id, "PGO " + Padded(i, 4) + " app " + std::to_string(k + 1),
                        By(o.at - Days(300))};
      }
    }
    s.participants[p.id] = std::move(p);
  }

  for (size_t i = 0; i < o.providers; ++i) {
    // Skewed towards the first DVAs: a few large suppliers serve most providers.
    size_t d = std::min(rng.Below(dvas.size()), rng.Below(dvas.size()));
    const Participant& dva = s.participants[dvas[d]];
    const auto& hosts = dva_nodes[d];
    std::string word = kProviderWords[rng.Below(kProviderWords.size())];
    std::string slug = word + Letters(i);
    Provider pr;
    pr.name = slug + "@medmij";
    pr.dva = dva.id;
    pr.type = rng.Percent(90) ? ProviderType::kZa : ProviderType::kBazb;
    pr.identifiers["agb"] = Padded(1000000 + i, 8);
    pr.added = By(o.at - Days(200));
    std::vector<std::string> offered;
    for (const auto& q : dva.qualifications) {
      if (q.passed) offered.push_back(q.service_id);
    }
    size_t n = 1 + (rng.Percent(40) ? 1 : 0) + (rng.Percent(10) ? 1 : 0);
    for (size_t k = 0; k < n; ++k) {
      // Mostly a service the DVA is qualified for; sometimes one it is not (filtered out).
      std::string id = rng.Percent(95) && !offered.empty()
                           ? offered[rng.Below(offered.size())]
                           : std::to_string(rng.Below(n_services) + 1);
      if (pr.services.count(id)) continue;
      const std::string& host = hosts[rng.Below(hosts.size())];
      ProviderService svc;
      svc.service_id = id;
      svc.authorization_uri = "https://" + host + "/" + slug + "/oauth/authorize";
      svc.token_uri = "https://" + host + ":8443/" + slug + "/oauth/token";
      const char* code = kServiceCodes[(std::stoul(id) - 1) % kServiceCodes.size()];
      svc.roles.push_back(
          {std::string(code) + "-2.0.0-PLB-FHIR", "https://" + host + ":9443/" + slug + "/fhir"});
      if (rng.Percent(20)) {
        svc.roles.push_back(
            {std::string(code) + "-2.0.0-PDB-FHIR", "https://" + host + ":9443/" + slug + "/pdf"});
      }
      pr.services[id] = std::move(svc);
    }
    s.providers[pr.name] = std::move(pr);
  }
  return s;
}

Status WriteRegistry(store::Store& st, const RegistryState& s, Time at, size_t batch) {
  std::unique_ptr<store::WriteTxn> txn;
  size_t in_txn = 0;
  uint64_t part = 0;
  auto commit = [&]() -> Status {
    if (!txn) return Status::Ok();
    auto r =
        txn->Commit(store::EventMeta{at, "bench", "bench-generate",
                                     "bench:part-" + std::to_string(++part), "generated registry"});
    txn.reset();
    in_txn = 0;
    return r.ok() ? Status::Ok() : r.status();
  };
  auto next = [&]() -> Status {
    if (txn && in_txn < batch) {
      ++in_txn;
      return Status::Ok();
    }
    MEDMIJ_RETURN_IF_ERROR(commit());
    auto w = st.BeginWrite();
    if (!w.ok()) return w.status();
    txn = std::move(w).value();
    in_txn = 1;
    return Status::Ok();
  };
  for (const auto& [id, v] : s.services) {
    MEDMIJ_RETURN_IF_ERROR(next());
    txn->Put(v);
  }
  for (const auto& [id, v] : s.participants) {
    MEDMIJ_RETURN_IF_ERROR(next());
    txn->Put(v);
  }
  for (const auto& [id, v] : s.nodes) {
    MEDMIJ_RETURN_IF_ERROR(next());
    txn->Put(v);
  }
  for (const auto& [id, v] : s.oauth_clients) {
    MEDMIJ_RETURN_IF_ERROR(next());
    txn->Put(v);
  }
  for (const auto& [id, v] : s.providers) {
    MEDMIJ_RETURN_IF_ERROR(next());
    txn->Put(v);
  }
  return commit();
}

}  // namespace medmij::bench
