// The publisher's incremental derivation: what lists::Derive would give, kept between
// publications and brought up to date from the journal.
//
// IncrementalLists holds the part of the registry state the lists are derived from
// (participants, nodes, OAuth clients, the catalogue, providers), each participant's good
// standing at the last update and the next instant it may change by itself
// (policy::NextStandingChange), and per list every entry's rendered XML fragment
// (lists::Append*Entry) keyed by the entry's record key, in the order Derive writes them.
//
// Update(reader, now) reads the journal events committed after the last one it applied, checks
// that the journal is the one it followed (the transparency log's tree hash over the events it
// applied and its first event's leaf hash are unchanged, no seq is skipped, every event's
// prev_hash is the previous event's hash) and that every change's `before` equals the
// record it holds, applies the `after`s, and re-derives only the entries those records feed:
//   participant: its nodes (Whitelist), OAuth clients (OCL) and providers (the provider lists);
//   node / OAuth client / provider: that entry (in each list it may be on);
//   data service (the catalogue): its GNL entry and every provider entry (ListProvider reads the
//   catalogue);
// and the entries of every participant whose standing may have changed by time alone (a
// certificate or audit statement starting or lapsing at an instant in (last update, now]).
// Other tables (cases, termination requests, counters, the archive) do not feed the lists and
// are skipped. Anything it cannot account for is a full rebuild from the snapshot
// (Reader::LoadState): the first Update, a clock that went back, a gap, another journal, a
// `before` that differs, a record or event that does not decode, Invalidate().
//
// The concatenation of a list's fragments is byte for byte Derive's entries_xml (the randomized
// test in tests/unit/publisher/incremental_test.cc checks this after every step).
//
// Validation bookkeeping: per list, the keys of the entries added or changed since the list's
// entries were last validated as a whole or in part (PendingValidation), so that a publisher
// can validate only those and the head (lists that were rebuilt are not "validated" until one
// whole validation). Not safe for concurrent use.
#pragma once

#include <array>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/domain/types.h"
#include "registry/lists/lists.h"
#include "registry/store/store.h"

namespace medmij::publisher {

class IncrementalLists {
 public:
  // Keeps the entries of `lists` only.
  explicit IncrementalLists(ListSet lists = kEveryList);

  struct UpdateInfo {
    bool rebuilt = false;  // a full rebuild from the snapshot
    std::string why;       // why it rebuilt ("first publication", "journal gap at 17", ...)
    size_t events = 0;     // journal events applied (incremental)
    size_t entries = 0;    // entries re-derived (incremental)
  };
  // Brings every list up to `reader`'s snapshot at `now` (see above). Fails only when the full
  // rebuild does (LoadState's error: a record that does not decode, LMDB); the held state is
  // then empty and the next Update rebuilds again.
  Result<UpdateInfo> Update(const store::Reader& reader, Time now);

  // The next Update rebuilds fully.
  void Invalidate();

  // Of a list kept (REQUIRES: Update succeeded last): its entries' digest (Derive's
  // ListContent::digest), their number, and the entries themselves as Derive returns them.
  const std::string& Digest(ListKind list);
  size_t EntryCount(ListKind list) const;
  lists::ListContent Content(ListKind list) const;

  // Whether every entry of `list` was validated (MarkValidated) since it was last rebuilt.
  bool Validated(ListKind list) const;
  // The entries added or changed since the list was last validated, as a ListContent of
  // `list` (in list order; digest empty). When there are none but the list has entries, its
  // first entry, so that a document of the head and these entries has the shape of the whole.
  lists::ListContent PendingValidation(ListKind list) const;
  // The uniqueness rules the list XSDs state (xs:unique on Hostname, Zorgaanbiedernaam,
  // GegevensdienstId across the entries), checked in code: every entry's key element holds its
  // own record key (keys are unique in the held maps, and the XSD types are xs:string, compared
  // as written), so no two entries share a key. Checks the pending entries (the others held
  // before). kInvalidArgument naming the rule and the key.
  Status CheckUnique(ListKind list) const;
  // The entries of `list` as they are now were validated: nothing is pending.
  void MarkValidated(ListKind list);

  // The earliest instant after the last Update's `now` at which a participant's standing may
  // change by itself (policy::NextStandingChange over every participant), or nullopt.
  std::optional<Time> NextStandingChange() const;

 private:
  struct List {
    bool kept = false;
    std::map<std::string, std::string> entries;  // record key -> fragment
    std::set<std::string> pending;               // keys awaiting validation
    bool validated = false;
    bool digest_stale = true;
    std::string digest;
    size_t bytes = 0;  // of all fragments
  };
  // The dependents of a set of changed records, re-derived after the events are applied.
  struct Dirty {
    std::set<std::string> participants, nodes, clients, providers, services;
    bool catalogue = false;
  };

  List& L(ListKind list) { return lists_[static_cast<size_t>(list)]; }
  const List& L(ListKind list) const { return lists_[static_cast<size_t>(list)]; }

  Status Rebuild(const store::Reader& reader, Time now);
  // Applies the events after seq_; false (with `why`) when it must rebuild instead.
  bool ApplyJournal(const store::Reader& reader, Dirty& dirty, UpdateInfo& info, std::string& why);
  // Applies one change; false (with `why`) on a `before` that differs or an `after` that does
  // not decode.
  bool ApplyChange(const store::Change& change, Dirty& dirty, std::string& why);
  void Standing(const std::string& id, Time now);
  // Re-derives the entries of `dirty` at now_; returns how many.
  size_t Rederive(const Dirty& dirty);
  // Sets (or, with nullopt, removes) the entry `key` of `list`.
  void SetEntry(ListKind list, const std::string& key, std::optional<std::string> fragment);
  void RenderNode(const std::string& hostname);
  void RenderClient(const std::string& hostname);
  void RenderProvider(const std::string& name);
  void RenderService(const std::string& id);
  const Participant* GoodParticipant(const std::string& id) const;

  ListSet kept_;
  bool built_ = false;
  Time now_{};
  uint64_t seq_ = 0;          // the last journal event applied (0: none)
  std::string last_hash_;     // its hash
  std::string first_leaf_;    // the log leaf hash of event 1, 32 bytes (empty: none yet)
  std::string tree_hash_;     // the log's tree hash over events 1..seq_, 32 bytes
  bool invalidated_ = false;  // Invalidate() since the last build
  RegistryState state_;       // participants, nodes, oauth_clients, services, providers only
  std::unordered_map<std::string, bool> good_;  // participant -> good standing at now_
  std::map<std::string, std::set<std::string>> nodes_of_, clients_of_, providers_of_;
  std::set<std::pair<Time, std::string>> lapses_;   // (next standing change, participant)
  std::unordered_map<std::string, Time> lapse_of_;  // participant -> its entry in lapses_
  std::array<List, std::size(kAllLists)> lists_{};
};

}  // namespace medmij::publisher
