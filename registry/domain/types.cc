#include "registry/domain/types.h"

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
