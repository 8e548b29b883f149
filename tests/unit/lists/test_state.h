// Registry states for list and publisher tests: participants in good standing at kT0 and the
// network data that puts them on every list. Header-only; used by tests/unit/lists and
// tests/unit/publisher.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <utility>

#include "registry/common/time.h"
#include "registry/domain/types.h"

namespace medmij::testing {

inline Time At(const char* iso) {
  return ParseTime(iso, "test").value();
}

// The publication time most tests use.
inline const Time kT0 = FromMillis(1795341600000);  // 2026-11-22T10:00:00.000Z

inline Provenance By(Time at, std::string reason = "") {
  return Provenance{at, "tester", std::move(reason)};
}

// A participant in good standing at kT0 (and until its certificate lapses at kT0 + 200 days).
// `kT0` may be replaced by any base instant (publisher tests use the wall clock, to match the
// signing certificate's validity).
inline Participant GoodParticipant(const std::string& id, std::set<Role> roles, Time base = kT0) {
  Participant p;
  p.id = id;
  p.legal_name = "Org " + id;
  p.kvk = "12345678";
  p.email = id + "@example.nl";
  p.roles = std::move(roles);
  p.status = Lifecycle::kActive;
  p.enrolled = By(base - Days(400));
  p.status_history.push_back({Lifecycle::kCandidate, Lifecycle::kActive, By(base - Days(300))});
  Certificate c;
  c.number = "NEN-" + id;
  c.body = "Certifier BV";
  c.accredited = true;
  c.registered = true;
  c.valid_from = base - Days(300);
  c.valid_until = base + Days(200);
  c.scope = "PGO services";
  c.recorded = By(base - Days(300));
  p.certificates.push_back(c);
  AuditStatement a;
  a.date = base - Days(30);
  a.auditor = "Audit BV";
  a.outcome = AuditOutcome::kConform;
  a.pentest = true;
  a.recorded = By(base - Days(30));
  p.audit_statements.push_back(a);
  p.labels.push_back({true, By(base - Days(300))});
  return p;
}

inline void AddNode(RegistryState& s, const std::string& host, const std::string& owner,
                    Time base = kT0) {
  s.nodes[host] = Node{host, owner, By(base - Days(100))};
}

inline void AddClient(RegistryState& s, const std::string& host, const std::string& owner,
                      const std::string& org, Time base = kT0) {
  s.oauth_clients[host] = OAuthClient{host, owner, org, By(base - Days(100))};
}

inline void AddService(RegistryState& s, const std::string& id, const std::string& name,
                       Time base = kT0) {
  s.services[id] = DataService{id, name, By(base - Days(365))};
}

inline void Qualify(Participant& p, const std::string& service, bool passed = true,
                    Time base = kT0) {
  p.qualifications.push_back({service, passed, By(base - Days(200))});
}

// A data service at `host`, offered in interface version 1.4.0 (so on every provider list).
inline ProviderService MakeService(const std::string& id, const std::string& host) {
  ProviderService s;
  s.service_id = id;
  s.authorization_uri = "https://" + host + "/oauth/authorize";
  s.token_uri = "https://" + host + ":8443/oauth/token";
  s.roles.push_back({"MM-1.0.0-" + id + "-FHIR", "https://" + host + "/fhir/" + id});
  s.interface_versions = {"1.4.0"};
  return s;
}

inline void AddProvider(RegistryState& s, const std::string& name, const std::string& dva,
                        const std::string& host, std::initializer_list<std::string> services,
                        Time base = kT0) {
  Provider p;
  p.name = name;
  p.dva = dva;
  p.identifiers["agb"] = "90012345";
  p.added = By(base - Days(100));
  for (const auto& id : services) p.services[id] = MakeService(id, host);
  s.providers[name] = p;
}

// A small network: two DVPs (pgo-one, pgo-two), two DVAs (xis-one, xis-two), catalogue 1..4;
// every provider has an AGB and every data service interface version 1.4.0, so each list has
// entries.
inline RegistryState SmallNetwork(Time base = kT0) {
  RegistryState s;
  for (auto [id, name] : {std::pair{"1", "Basisgegevens Zorg"},
                          {"2", "Medicatieoverzichten"},
                          {"3", "Medicatiegegevens"},
                          {"4", "Laboratoriumresultaten"}}) {
    AddService(s, id, name, base);
  }
  s.participants["pgo-one"] = GoodParticipant("pgo-one", {Role::kDvp}, base);
  s.participants["pgo-two"] = GoodParticipant("pgo-two", {Role::kDvp}, base);
  Participant x1 = GoodParticipant("xis-one", {Role::kDva}, base);
  Participant x2 = GoodParticipant("xis-two", {Role::kDva}, base);
  for (auto* p : {&x1, &x2}) {
    for (const char* id : {"1", "2", "3", "4"}) Qualify(*p, id, true, base);
  }
  s.participants["xis-one"] = x1;
  s.participants["xis-two"] = x2;
  AddNode(s, "medmij.pgo-one.nl", "pgo-one", base);
  AddNode(s, "medmij.pgo-two.nl", "pgo-two", base);
  AddNode(s, "node1.xis-one.net", "xis-one", base);
  AddNode(s, "node2.xis-one.net", "xis-one", base);
  AddNode(s, "node.xis-two.net", "xis-two", base);
  AddClient(s, "medmij.pgo-one.nl", "pgo-one", "PGO One & Co", base);
  AddClient(s, "app.pgo-two.nl", "pgo-two", "PGO Two", base);
  AddProvider(s, "umcharderwijk@medmij", "xis-one", "node1.xis-one.net", {"1", "4"}, base);
  AddProvider(s, "ziekenhuisoost@medmij", "xis-one", "node2.xis-one.net", {"2"}, base);
  AddProvider(s, "huisartsenpost@medmij", "xis-two", "node.xis-two.net", {"1", "3"}, base);
  return s;
}

// Runs the stock xmllint against a reference release XSD; returns its exit code and output.
inline int XmllintSchema(const std::filesystem::path& xsd, const std::string& document,
                         std::string* output = nullptr) {
  char tmpl[] = "/tmp/medmij-xmllint-XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd < 0) return -1;
  close(fd);
  std::filesystem::path file(tmpl);
  { std::ofstream(file, std::ios::binary) << document; }
  std::string out_file = file.string() + ".out";
  std::string cmd = "xmllint --noout --nonet --schema '" + xsd.string() + "' '" + file.string() +
                    "' >'" + out_file + "' 2>&1";
  int rc = std::system(cmd.c_str());
  if (output != nullptr) {
    std::ifstream in(out_file);
    output->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::filesystem::remove(file);
  std::filesystem::remove(out_file);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// What consumers validate the strict form against: the official release XSD, or for a release
// without a public one, the project's strict rendering of it (Spec(list).strict_xsd).
inline std::filesystem::path ReferenceXsd(ListKind list) {
  return std::filesystem::path(MEDMIJ_SCHEMA_DIR) / std::string(Spec(list).strict_xsd);
}

}  // namespace medmij::testing
