// The evidence bundle of one participant (issue 11 item 6): a self-contained JSON file an
// auditor checks offline with the log's verifier key.
//
//   {"format":"medmij-evidence-bundle/v1",
//    "participant":"<id>",
//    "checkpoint":"<the signed checkpoint note, verbatim>",
//    "left_out":<number of journal events after the checkpoint's tree size, not included>,
//    "events":[{"index":<leaf index = seq - 1>,"event":"<base64 of the stored event bytes>",
//               "proof":["<base64 hash>",...]},...],          // ascending index
//    "list_versions":[{"list":"...","volgnummer":n,"tijdstempel":"...","sha256":"<hex>",
//                      "change":"entered"|"left"},...]}
//
// `event` is exactly what the leaf hash covers (SHA-256(0x00 || bytes)); `proof` is the
// RFC 6962 inclusion proof of that leaf in the checkpoint's tree.
//
// An event touches participant P when its meta.subject is "participant:P", or one of its
// changes is to the `participants` record with key P, or to a record (before or after) whose
// "participant" field (nodes, oauth clients, cases, termination requests...) or "dva" field
// (providers) is P: the rule `participant history` uses (ops::EventTouchesParticipant).
//
// What verification proves: the checkpoint is signed by the key; each event is in the signed
// tree at its index, unaltered; each touches P; indexes strictly increase. What it does not
// prove: that no event touching P was left out (the bundle's maker chose them; an auditor
// holding the entry tiles can check completeness), nor the hash chain between the events (the
// gaps are not in the bundle).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "registry/common/merkle.h"
#include "registry/common/note.h"
#include "registry/common/status.h"

namespace medmij::audit {

inline constexpr std::string_view kBundleFormat = "medmij-evidence-bundle/v1";

struct BundleEvent {
  uint64_t index = 0;
  std::string stored;  // the stored event bytes
  std::vector<merkle::Hash> proof;
};

struct BundleListVersion {
  std::string list;
  uint64_t volgnummer = 0;
  std::string tijdstempel;
  std::string sha256;
  std::string change;  // "entered" or "left"
};

struct Bundle {
  std::string participant;
  std::string checkpoint_note;
  uint64_t left_out = 0;
  std::vector<BundleEvent> events;
  std::vector<BundleListVersion> list_versions;
};

// The file's bytes (compact JSON, keys sorted, final newline): deterministic for equal bundles.
std::string EncodeBundle(const Bundle& b);
// kInvalidArgument naming the field at fault.
Result<Bundle> ParseBundle(std::string_view bytes);

// Whether the stored event touches the participant (see above); kInvalidArgument when the bytes
// are not an event.
Result<bool> TouchesParticipant(std::string_view stored, std::string_view participant);

struct TimelineEntry {
  uint64_t index = 0;
  std::string at;
  std::string command;
  std::string subject;
};

struct Timeline {
  std::string participant;
  std::string origin;
  uint64_t tree_size = 0;
  uint64_t left_out = 0;
  std::vector<TimelineEntry> events;
  std::vector<BundleListVersion> list_versions;
};

// Checks everything listed above; kInvalidArgument with one line saying what failed.
Result<Timeline> VerifyBundle(std::string_view bytes, const note::Verifier& verifier);

// The timeline as printable lines.
std::string FormatTimeline(const Timeline& t);

}  // namespace medmij::audit
