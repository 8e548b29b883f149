#include "registry/domain/types.h"

#include <algorithm>
#include <array>
#include <utility>

namespace medmij {
namespace {

template <typename E, size_t N>
std::optional<E> Lookup(const std::array<std::pair<E, std::string_view>, N>& table,
                        std::string_view s) {
  for (const auto& [e, name] : table) {
    if (name == s) return e;
  }
  return std::nullopt;
}

template <typename E, size_t N>
std::string_view Name(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [v, name] : table) {
    if (v == e) return name;
  }
  return "?";
}

constexpr std::array<std::pair<Role, std::string_view>, 2> kRoles{
    {{Role::kDvp, "dvp"}, {Role::kDva, "dva"}}};
constexpr std::array<std::pair<Lifecycle, std::string_view>, 4> kLifecycles{
    {{Lifecycle::kCandidate, "candidate"},
     {Lifecycle::kActive, "active"},
     {Lifecycle::kSuspended, "suspended"},
     {Lifecycle::kTerminated, "terminated"}}};
constexpr std::array<std::pair<AuditOutcome, std::string_view>, 2> kOutcomes{
    {{AuditOutcome::kConform, "conform"}, {AuditOutcome::kNonconform, "nonconform"}}};
constexpr std::array<std::pair<ProviderType, std::string_view>, 2> kProviderTypes{
    {{ProviderType::kZa, "ZA"}, {ProviderType::kBazb, "BAZB"}}};
constexpr std::array<std::pair<CaseStep, std::string_view>, 5> kCaseSteps{
    {{CaseStep::kFinding, "finding"},
     {CaseStep::kExplanation, "explanation"},
     {CaseStep::kNotice, "notice"},
     {CaseStep::kSuspension, "suspension"},
     {CaseStep::kTermination, "termination"}}};

}  // namespace

std::string_view ToString(Role r) {
  return Name(kRoles, r);
}
std::string_view ToString(Lifecycle s) {
  return Name(kLifecycles, s);
}
std::string_view ToString(AuditOutcome o) {
  return Name(kOutcomes, o);
}
std::string_view ToString(ProviderType t) {
  return Name(kProviderTypes, t);
}
std::string_view ToString(CaseStep s) {
  return Name(kCaseSteps, s);
}
std::string_view ToString(ListKind k) {
  return Spec(k).name;
}
std::string_view PublishedFileName(ListKind k) {
  return Spec(k).file_name;
}
std::string ListNamesForMessages() {
  std::string out;
  for (size_t i = 0; i < kListCount; ++i) {
    if (i > 0) out += i + 1 == kListCount ? " or " : ", ";
    out += kListSpecs[i].name;
  }
  return out;
}

std::optional<Role> ParseRole(std::string_view s) {
  return Lookup(kRoles, s);
}
std::optional<Lifecycle> ParseLifecycle(std::string_view s) {
  return Lookup(kLifecycles, s);
}
std::optional<AuditOutcome> ParseAuditOutcome(std::string_view s) {
  return Lookup(kOutcomes, s);
}
std::optional<ProviderType> ParseProviderType(std::string_view s) {
  return Lookup(kProviderTypes, s);
}
std::optional<CaseStep> ParseCaseStep(std::string_view s) {
  return Lookup(kCaseSteps, s);
}
std::optional<ListKind> ParseListKind(std::string_view s) {
  for (const ListSpec& l : kListSpecs) {
    if (l.name == s) return l.kind;
  }
  return std::nullopt;
}

namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Numeric comparison of two digit strings of any length: < 0, 0 or > 0.
int CompareNumbers(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
  while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b);
}

std::vector<std::string_view> DotParts(std::string_view s) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t dot = s.find('.', start);
    parts.push_back(s.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

}  // namespace

bool InterfaceVersionLess(std::string_view a, std::string_view b) {
  const std::vector<std::string_view> pa = DotParts(a), pb = DotParts(b);
  for (size_t i = 0; i < pa.size() && i < pb.size(); ++i) {
    // Numbers before text, so that the order is transitive ("9" < "10" < "10a").
    const bool na = AllDigits(pa[i]), nb = AllDigits(pb[i]);
    if (na != nb) return na;
    const int c = na ? CompareNumbers(pa[i], pb[i]) : pa[i].compare(pb[i]);
    if (c != 0) return c < 0;
  }
  if (pa.size() != pb.size()) return pa.size() < pb.size();  // "1.4" before "1.4.0"
  return a < b;  // equal part by part ("1.04" and "1.4"): the text decides
}

const IdentifierKind* FindIdentifierKind(std::string_view key) {
  for (const IdentifierKind& k : kIdentifierKinds) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

std::string IdentifierKindsForMessages() {
  std::string out;
  const size_t n = std::size(kIdentifierKinds);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += i + 1 == n ? " or " : ", ";
    out += kIdentifierKinds[i].key;
  }
  return out;
}

std::set<std::string> Participant::QualifiedServices() const {
  std::map<std::string, bool> latest;
  for (const auto& q : qualifications) latest[q.service_id] = q.passed;
  std::set<std::string> out;
  for (const auto& [service, passed] : latest) {
    if (passed) out.insert(service);
  }
  return out;
}

}  // namespace medmij
