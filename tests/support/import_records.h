// One `medmij-admin import` file's records (JSON Lines, one object a line), shared by the
// in-process import tests (tests/unit/ops/import_test.cc) and the CLI's (which check only the
// command's contract): a catalogue service, a DVA in good standing with a node and a provider,
// and a DVP with an OAuth client. Eleven lines; the evidence counts at kImportRecordsNow.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

namespace medmij::testing {

// The instant the records are arranged around (certificate and audit statement valid then).
inline constexpr const char* kImportRecordsNow = "2026-11-22T10:00:00Z";

inline std::vector<nlohmann::json> ImportRecords() {
  using nlohmann::json;
  std::vector<json> v = {
      {{"type", "service"}, {"id", "4"}, {"name", "Laboratoriumresultaten"}},
      {{"type", "participant"},
       {"id", "lab-dva"},
       {"name", "Lab DVA"},
       {"kvk", "12345678"},
       {"roles", {"dva"}},
       {"email", nullptr}},
      {{"type", "certificate"},
       {"participant", "lab-dva"},
       {"number", "C1"},
       {"body", "Certifier BV"},
       {"accredited", true},
       {"registered", true},
       {"valid_from", "2026-01-01"},
       {"valid_until", "2027-12-31"},
       {"scope", "all"}},
      {{"type", "audit_statement"},
       {"participant", "lab-dva"},
       {"date", "2026-11-01"},
       {"auditor", "Audit BV"},
       {"outcome", "conform"},
       {"pentest", true}},
      {{"type", "label"}, {"participant", "lab-dva"}},
      {{"type", "activate"}, {"participant", "lab-dva"}, {"reason", "signed"}},
      {{"type", "qualification"}, {"participant", "lab-dva"}, {"service", "4"}},
      {{"type", "node"}, {"participant", "lab-dva"}, {"hostname", "api.lab.example"}},
      {{"type", "participant"},
       {"id", "app-pgo"},
       {"name", "App PGO"},
       {"kvk", "87654321"},
       {"roles", {"dvp"}}},
      {{"type", "oauth_client"},
       {"participant", "app-pgo"},
       {"hostname", "app.pgo.example"},
       {"org_name", "App PGO"}},
      {{"type", "provider"},
       {"name", "labkliniek@medmij"},
       {"dva", "lab-dva"},
       {"provider_type", "BAZB"},
       {"identifiers", {{"agb", "01234567"}}},
       {"services",
        {{{"service", "4"},
          {"authorization_uri", "https://front.lab.example/authorize"},
          {"token_uri", "https://api.lab.example:8443/token"},
          {"interface_versions", {"1.0"}},
          {"roles",
           {{{"code", "LAB-1.0.0-LRB-FHIR"}, {"uri", "https://api.lab.example/fhir"}}}}}}}},
  };
  return v;
}

}  // namespace medmij::testing
