// What the public register (the web pages for people, issue 13) shows: a plain snapshot of the
// public facts, built once per publication (view_builder.h) and rendered into pages
// (render.h). Everything here may be published: no reasons, operators, case
// findings, certificate numbers or contact data. Candidates are not in it.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "registry/common/time.h"
#include "registry/domain/types.h"

namespace medmij::web {

// One public decision about a participant.
enum class PublicEventKind {
  kLabelGranted,
  kLabelWithdrawn,
  kActivated,
  kSuspended,
  kReinstated,
  kTerminated
};
struct PublicEvent {
  Time at{};
  PublicEventKind kind = PublicEventKind::kActivated;
};

struct PublicOAuthClient {
  std::string hostname;
  std::string organisation_name;
};

struct PublicProvider {
  std::string name;                   // e.g. "umcx@medmij"
  std::vector<std::string> services;  // display names (catalogue), in service id order
};

struct PublicParticipant {
  std::string id;
  std::string legal_name;
  std::set<Role> roles;
  Lifecycle status = Lifecycle::kActive;
  // policy::EvaluateStanding at the view's instant: the only way onto a list.
  bool good_standing = false;
  bool label_granted = false;
  std::optional<Time> label_since;  // the grant of the current label, when granted
  // When not in good standing: the instant it last left good standing (status change, label
  // withdrawn, evidence lapsed); unset when it never was in good standing.
  std::optional<Time> left_lists_at;
  std::vector<std::string> qualified_services;  // display names, for a DVA
  std::vector<ListKind> on_lists;               // the published lists it is on now
  std::vector<std::string> nodes;               // Whitelist hostnames
  std::vector<PublicOAuthClient> oauth_clients;
  std::vector<PublicProvider> providers;
  std::vector<PublicEvent> history;  // oldest first
};

// One published list's current version.
struct PublishedList {
  ListKind list = ListKind::kWhitelist;
  uint64_t volgnummer = 0;
  std::string tijdstempel;
  uint64_t signed_size = 0;
  std::string signed_sha256;  // of the signed form, as in /lists/{list}/versions
  uint64_t strict_size = 0;
  std::string strict_sha256;
};

struct RegisterView {
  // Sorted by legal name (byte order, ASCII case folded), then id.
  std::vector<PublicParticipant> participants;
  std::vector<PublishedList> lists;  // in kAllLists order, only those with a version
  // SHA-256 of the DER of [signing] trust_anchor, colon-separated upper-case hex pairs as
  // `openssl x509 -fingerprint -sha256` prints it; empty when none is configured.
  std::string trust_anchor_sha256;
};

}  // namespace medmij::web
