// The registry's domain: participants, their compliance evidence, network data, compliance cases.
//
// Plain values, no I/O. Evidence is kept with full history: certificates, audit statements,
// label decisions and qualifications are appended, never overwritten (a correction is a new
// entry). Times are UTC instants (registry/common/time.h).
#pragma once

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "registry/common/time.h"

namespace medmij {

enum class Role { kDvp, kDva };
enum class Lifecycle { kCandidate, kActive, kSuspended, kTerminated };

std::string_view ToString(Role r);       // "dvp" | "dva"
std::string_view ToString(Lifecycle s);  // "candidate" | "active" | "suspended" | "terminated"
std::optional<Role> ParseRole(std::string_view s);
std::optional<Lifecycle> ParseLifecycle(std::string_view s);

// Who did something, when, and why. Attached to every recorded decision.
struct Provenance {
  Time at{};
  std::string by;      // operator
  std::string reason;  // may be empty where no reason is required
  bool operator==(const Provenance&) const = default;
};

// NEN 7510 certificate. Valid on the half-open interval [valid_from, valid_until).
struct Certificate {
  std::string number;
  std::string body;         // certifying body
  bool accredited = false;  // accredited by RvA / holds a NEN licence
  bool registered = false;  // listed in NEN's register
  Time valid_from{};
  Time valid_until{};
  std::string scope;
  Provenance recorded;
  bool operator==(const Certificate&) const = default;
};

enum class AuditOutcome { kConform, kNonconform };
std::string_view ToString(AuditOutcome o);  // "conform" | "nonconform"
std::optional<AuditOutcome> ParseAuditOutcome(std::string_view s);

// Aanvullende auditverklaring. `date` is the start of the statement's day (UTC).
struct AuditStatement {
  Time date{};
  std::string auditor;
  AuditOutcome outcome = AuditOutcome::kNonconform;
  bool pentest = false;
  Provenance recorded;
  bool operator==(const AuditStatement&) const = default;
};

// A data service the participant (as DVA) passed qualification for, or a withdrawal of it.
struct QualificationEvent {
  std::string service_id;
  bool passed = true;  // false: qualification withdrawn
  Provenance recorded;
  bool operator==(const QualificationEvent&) const = default;
};

struct LabelEvent {
  bool granted = false;  // false: withdrawn
  Provenance recorded;
  bool operator==(const LabelEvent&) const = default;
};

struct StatusChange {
  Lifecycle from = Lifecycle::kCandidate;
  Lifecycle to = Lifecycle::kCandidate;
  Provenance recorded;
  bool operator==(const StatusChange&) const = default;
};

struct Participant {
  std::string id;  // slug [a-z0-9-]{3,40}, immutable
  std::string legal_name;
  std::string kvk;  // 8 digits
  std::string email;
  std::set<Role> roles;
  Lifecycle status = Lifecycle::kCandidate;
  Provenance enrolled;
  std::vector<StatusChange> status_history;
  std::vector<Certificate> certificates;
  std::vector<AuditStatement> audit_statements;
  std::vector<QualificationEvent> qualifications;
  std::vector<LabelEvent> labels;

  bool HasRole(Role r) const { return roles.count(r) != 0; }
  bool LabelGranted() const { return !labels.empty() && labels.back().granted; }
  // Data services whose latest qualification event is a pass.
  std::set<std::string> QualifiedServices() const;
  bool operator==(const Participant&) const = default;
};

// A Whitelist node: a hostname owned by one participant. Hostnames are unique network-wide.
struct Node {
  std::string hostname;
  std::string participant;
  Provenance added;
  bool operator==(const Node&) const = default;
};

// An OAuth client of a DVP (OCL entry). Hostnames are unique network-wide.
struct OAuthClient {
  std::string hostname;
  std::string participant;        // a DVP
  std::string organisation_name;  // 3-50 characters
  Provenance added;
  bool operator==(const OAuthClient&) const = default;
};

// Gegevensdienst in the catalogue (GNL entry).
struct DataService {
  std::string id;            // 1-30 characters
  std::string display_name;  // 3-50 characters
  Provenance added;
  bool operator==(const DataService&) const = default;
};

struct SystemRole {
  std::string code;          // Systeemrolcode, 1-30 characters
  std::string resource_uri;  // back channel
  bool operator==(const SystemRole&) const = default;
};

// Abonneren (ZAL release3): subscription support for a data service.
struct Subscription {
  uint32_t max_days = 0;     // MaximaleDuur: the longest subscription, in days (1-3650)
  std::string endpoint_uri;  // SubscriptionEndpointuri, back channel
  bool operator==(const Subscription&) const = default;
};

// One data service a provider offers (a Gegevensdienst element of the ZAL).
struct ProviderService {
  std::string service_id;         // in the catalogue
  std::string authorization_uri;  // front channel: https, no port
  std::string token_uri;          // back channel: https, port allowed; host is a DVA node
  std::vector<SystemRole> roles;  // ordered by code
  // InterfaceversieId values (ZAL release3, ZAKL), in InterfaceVersionLess order, no
  // duplicates. A service without one is published in the ZAL release2 only.
  std::vector<std::string> interface_versions;
  std::optional<Subscription> subscription;  // Abonneren (ZAL release3)
  bool operator==(const ProviderService&) const = default;
};

// The order of interface versions ("1.4.0" < "1.10.0"): dot-separated parts compared one by
// one, numbers by value and before text, text by bytes; a prefix first. A strict total order
// (parts that tie, "04" and "4", fall back to the whole strings).
bool InterfaceVersionLess(std::string_view a, std::string_view b);

// Aanbiedertype. The ZAL release3 schema also admits APD (not yet a value of the model): adding
// it is one enumerator and one row in types.cc.
enum class ProviderType { kZa, kBazb };
std::string_view ToString(ProviderType t);  // "ZA" | "BAZB"
std::optional<ProviderType> ParseProviderType(std::string_view s);

// The kinds of identifier a provider may have (IdentificerendKenmerk in the ZAKL): the key in
// Provider::identifiers and the ZAKL element. Rows in key order, which is the order of
// Provider::identifiers and so of the ZAKL. Value rules: registry/domain/validate.h.
struct IdentifierKind {
  std::string_view key;      // "agb"
  std::string_view element;  // "AGB"
};
inline constexpr IdentifierKind kIdentifierKinds[] = {
    {"agb", "AGB"}, {"hrn", "HRN"}, {"kvk", "KVK"}, {"oin", "OIN"}, {"ura", "URA"},
};
// The row of `key`, or nullptr.
const IdentifierKind* FindIdentifierKind(std::string_view key);
// "agb, hrn, kvk, oin or ura", for messages.
std::string IdentifierKindsForMessages();

// Zorgaanbieder, served by one DVA at a time.
struct Provider {
  std::string name;  // [a-z]+@medmij, 10-57 characters
  std::string dva;   // serving participant
  ProviderType type = ProviderType::kZa;
  std::map<std::string, std::string> identifiers;   // kIdentifierKinds key -> value
  std::map<std::string, ProviderService> services;  // by service id
  Provenance added;
  bool operator==(const Provider&) const = default;
};

// Nalevingsbeleid: the steps a compliance case moves through, in this order.
enum class CaseStep { kFinding, kExplanation, kNotice, kSuspension, kTermination };
std::string_view ToString(CaseStep s);  // "finding" | "explanation" | "notice" | "suspension" |
                                        // "termination"
std::optional<CaseStep> ParseCaseStep(std::string_view s);

struct CaseStepRecord {
  CaseStep step = CaseStep::kFinding;
  Provenance recorded;  // reason = the step's reason (the finding for kFinding)
  std::optional<Time> deadline;
  bool operator==(const CaseStepRecord&) const = default;
};

struct ComplianceCase {
  std::string id;  // "case-<n>"
  std::string participant;
  std::string type;                   // kind of finding, e.g. "certificate-lapsed", "incident"
  std::string finding;                // description
  std::vector<CaseStepRecord> steps;  // steps[0] is the finding
  std::optional<Provenance> closed;
  bool IsOpen() const { return !closed.has_value(); }
  CaseStep CurrentStep() const { return steps.empty() ? CaseStep::kFinding : steps.back().step; }
  bool operator==(const ComplianceCase&) const = default;
};

// Termination takes two people: one requests, a different operator approves.
struct TerminationRequest {
  std::string id;  // "term-<n>"
  std::string participant;
  std::string case_id;  // empty unless raised by a compliance case
  Provenance requested;
  std::optional<Provenance> approved;
  bool operator==(const TerminationRequest&) const = default;
};

// All registry state at one instant, as one consistent snapshot (one LMDB read transaction).
// Maps are keyed by the record's id/hostname/name, so iteration order is the stable list order.
struct RegistryState {
  std::map<std::string, Participant> participants;
  std::map<std::string, Node> nodes;
  std::map<std::string, OAuthClient> oauth_clients;
  std::map<std::string, DataService> services;
  std::map<std::string, Provider> providers;
  std::map<std::string, ComplianceCase> cases;
  std::map<std::string, TerminationRequest> termination_requests;
};

// The published lists, declared once in kListSpecs below: names, files, XML, schema and
// release of each list are read from there by every module (lists, signer, publisher, HTTP,
// CLI). A new list is one enumerator plus one row; the static_asserts refuse a missing or
// misplaced row.
enum class ListKind {
  kWhitelist,
  kOAuthClientList,
  kZorgaanbiederslijst,
  kGegevensdienstnamenlijst,
  kZorgaanbiederslijstRelease3,
  kZorgaanbiederskoppellijst,
};

struct ListSpec {
  ListKind kind;
  // "whitelist": the list's name in the CLI, JSON, journal subjects and /lists/{name}/ URLs.
  std::string_view name;
  // "MedMij_Whitelist.xml": the path it is served at and its file name in the export dir.
  std::string_view file_name;
  // The document: root element, its default namespace, the element holding the entries and
  // the child element that keys each entry. NUL-terminated literals (libxml compares C strings).
  std::string_view root;
  std::string_view ns;
  std::string_view entries;
  std::string_view key;
  // The project's XSD in schemas/ (the release structure plus a trailing ds:Signature).
  std::string_view xsd;
  // What the strict form is valid against, relative to schemas/: the official release XSD
  // (reference/), or, for a release without a public XSD, the project's rendering of it
  // (strict/). Consumers' rule; the tests check every strict list against it.
  std::string_view strict_xsd;
  // The release's major version: what `?api=` must say.
  std::string_view api_major;
};

inline constexpr ListSpec kListSpecs[] = {
    {ListKind::kWhitelist, "whitelist", "MedMij_Whitelist.xml", "Whitelist",
     "xmlns://afsprakenstelsel.medmij.nl/whitelist/release2/", "MedMijNodes", "Hostname",
     "MedMij_Whitelist.xsd", "reference/MedMij_Whitelist.xsd", "2"},
    {ListKind::kOAuthClientList, "oauthclientlist", "MedMij_OAuthclientlist.xml", "OAuthclientlist",
     "xmlns://afsprakenstelsel.medmij.nl/oauthclientlist/release2/", "OAuthclients", "Hostname",
     "MedMij_OAuthclientlist.xsd", "reference/MedMij_OAuthclientlist.xsd", "2"},
    {ListKind::kZorgaanbiederslijst, "zorgaanbiederslijst", "MedMij_Zorgaanbiederslijst.xml",
     "Zorgaanbiederslijst", "xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release2/",
     "Zorgaanbieders", "Zorgaanbiedernaam", "MedMij_Zorgaanbiederslijst.xsd",
     "reference/MedMij_Zorgaanbiederslijst.xsd", "2"},
    {ListKind::kGegevensdienstnamenlijst, "gegevensdienstnamenlijst",
     "MedMij_Gegevensdienstnamenlijst.xml", "Gegevensdienstnamenlijst",
     "xmlns://afsprakenstelsel.medmij.nl/gegevensdienstnamenlijst/release1/", "Gegevensdiensten",
     "GegevensdienstId", "MedMij_Gegevensdienstnamenlijst.xsd",
     "reference/MedMij_Gegevensdienstnamenlijst.xsd", "1"},
    {ListKind::kZorgaanbiederslijstRelease3, "zorgaanbiederslijst_release3",
     "MedMij_Zorgaanbiederslijst_release3.xml", "Zorgaanbiederslijst",
     "xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release3/", "Zorgaanbieders",
     "Zorgaanbiedernaam", "MedMij_Zorgaanbiederslijst_release3.xsd",
     "strict/MedMij_Zorgaanbiederslijst_release3.xsd", "3"},
    // The namespace's capital Z is as the published list writes it (unlike the ZAL's).
    {ListKind::kZorgaanbiederskoppellijst, "zorgaanbiederskoppellijst",
     "MedMij_Zorgaanbiederskoppellijst.xml", "Zorgaanbiederskoppellijst",
     "xmlns://afsprakenstelsel.medmij.nl/Zorgaanbiederskoppellijst/release1/", "Zorgaanbieders",
     "Zorgaanbiedernaam", "MedMij_Zorgaanbiederskoppellijst.xsd",
     "strict/MedMij_Zorgaanbiederskoppellijst.xsd", "1"},
};

inline constexpr size_t kListCount = std::size(kListSpecs);
static_assert(kListCount == static_cast<size_t>(ListKind::kZorgaanbiederskoppellijst) + 1,
              "one row in kListSpecs per ListKind (update this check when adding a ListKind)");
constexpr bool ListSpecsInEnumOrder() {
  for (size_t i = 0; i < kListCount; ++i) {
    if (static_cast<size_t>(kListSpecs[i].kind) != i) return false;
  }
  return true;
}
static_assert(ListSpecsInEnumOrder(), "kListSpecs rows must follow the order of ListKind");

constexpr const ListSpec& Spec(ListKind k) {
  return kListSpecs[static_cast<size_t>(k)];
}

// Every list, in ListKind order (the order of reports, metrics and /healthz).
constexpr std::array<ListKind, kListCount> MakeAllLists() {
  std::array<ListKind, kListCount> out{};
  for (size_t i = 0; i < kListCount; ++i) out[i] = kListSpecs[i].kind;
  return out;
}
inline constexpr std::array<ListKind, kListCount> kAllLists = MakeAllLists();

// A selection of lists (`[publish] lists`), by ListKind.
using ListSet = std::bitset<kListCount>;
inline const ListSet kEveryList = ListSet().set();

// Spec(k).name, and back.
std::string_view ToString(ListKind k);
std::optional<ListKind> ParseListKind(std::string_view s);
// Spec(k).file_name.
std::string_view PublishedFileName(ListKind k);
// "whitelist, oauthclientlist, ... or zorgaanbiederskoppellijst", for messages.
std::string ListNamesForMessages();

}  // namespace medmij
