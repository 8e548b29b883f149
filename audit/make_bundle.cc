#include "audit/make_bundle.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "registry/common/checkpoint.h"
#include "registry/common/note.h"
#include "registry/lists/lists.h"
#include "registry/ops/ops.h"

namespace medmij::audit {
namespace {

// The table whose records key a list's entries and the field that names their participant;
// nullopt for a list whose entries belong to no participant (the GNL).
struct EntrySource {
  store::Table table;
  const char* owner_field;
};
std::optional<EntrySource> EntrySourceOf(ListKind list) {
  switch (list) {
    case ListKind::kWhitelist:
      return EntrySource{store::Table::kNodes, "participant"};
    case ListKind::kOAuthClientList:
      return EntrySource{store::Table::kOAuthClients, "participant"};
    case ListKind::kZorgaanbiederslijst:
    case ListKind::kZorgaanbiederslijstRelease3:
    case ListKind::kZorgaanbiederskoppellijst:
      return EntrySource{store::Table::kProviders, "dva"};
    case ListKind::kGegevensdienstnamenlijst:
      return std::nullopt;
  }
  return std::nullopt;
}

// The keys of the participant's records in each entry-keying table, as the journal has
// recorded them up to some event.
using OwnedKeys = std::map<store::Table, std::set<std::string>>;

void Follow(const store::JournalEvent& e, std::string_view participant, OwnedKeys& owned) {
  for (const store::Change& c : e.changes) {
    const char* field = c.table == store::Table::kProviders ? "dva" : "participant";
    if (c.table != store::Table::kNodes && c.table != store::Table::kOAuthClients &&
        c.table != store::Table::kProviders) {
      continue;
    }
    bool ours = false;
    if (c.after && c.after->is_object()) {
      auto it = c.after->find(field);
      ours = it != c.after->end() && it->is_string() &&
             it->get_ref<const std::string&>() == participant;
    }
    if (ours) {
      owned[c.table].insert(c.key);
    } else {
      owned[c.table].erase(c.key);
    }
  }
}

// The (list, volgnummer) a change archives: the creation of a `list_versions` record.
std::optional<std::pair<std::string, uint64_t>> ArchivedVersion(const store::Change& c) {
  if (c.table != store::Table::kListVersions || c.before || !c.after || !c.after->is_object())
    return std::nullopt;
  auto list = c.after->find("list");
  auto volgnummer = c.after->find("volgnummer");
  if (list == c.after->end() || !list->is_string() || volgnummer == c.after->end() ||
      !volgnummer->is_number_unsigned())
    return std::nullopt;
  return std::pair{list->get<std::string>(), volgnummer->get<uint64_t>()};
}

// What the checkpoint note says, checked against this store's tree.
Result<checkpoint::Checkpoint> CheckedCheckpoint(const store::Reader& r, std::string_view note,
                                                 uint64_t journal_length) {
  auto text = note::UnverifiedText(note);
  if (!text.ok()) return Status::Invalid("checkpoint: " + text.status().message());
  auto cp = checkpoint::Parse(*text);
  if (!cp.ok()) return Status::Invalid("checkpoint: " + cp.status().message());
  if (cp->size > journal_length) {
    return Status::Refused("the checkpoint's tree has " + std::to_string(cp->size) +
                           " events but the journal holds " + std::to_string(journal_length) +
                           ": it is not a checkpoint of this journal");
  }
  MEDMIJ_ASSIGN_OR_RETURN(merkle::Hash root, r.TreeHash(cp->size));
  if (root != cp->root) {
    return Status::Refused("the journal's tree at " + std::to_string(cp->size) +
                           " events differs from the checkpoint's root: it is not a checkpoint "
                           "of this journal");
  }
  return std::move(cp).value();
}

}  // namespace

Result<Bundle> MakeBundle(const store::Reader& r, std::string_view participant,
                          std::string_view checkpoint_note) {
  MEDMIJ_RETURN_IF_ERROR(ops::FindParticipant(r, std::string(participant)).status());
  MEDMIJ_ASSIGN_OR_RETURN(uint64_t length, r.JournalLength());
  MEDMIJ_ASSIGN_OR_RETURN(checkpoint::Checkpoint cp, CheckedCheckpoint(r, checkpoint_note, length));
  Bundle b;
  b.participant = std::string(participant);
  b.checkpoint_note = std::string(checkpoint_note);
  b.left_out = length - cp.size;

  // One pass over the logged prefix: the events that touch the participant, and which of its
  // keys each archived list version was published with.
  OwnedKeys owned;
  std::map<std::pair<std::string, uint64_t>, OwnedKeys> owned_at_archive;  // by list, volgnummer
  Status failed;
  Status scanned =
      r.ForEachStoredEvent(1, [&](const store::JournalEvent& e, std::string_view stored) {
        if (e.seq > cp.size) return false;
        const uint64_t index = e.seq - 1;
        Follow(e, participant, owned);
        for (const store::Change& c : e.changes) {
          if (auto archived = ArchivedVersion(c)) owned_at_archive[*archived] = owned;
        }
        // An event that touches the participant names its id verbatim (ids are plain ASCII,
        // which JSON leaves unescaped): the others are skipped without parsing them again.
        if (stored.find(participant) == std::string_view::npos) return true;
        auto touches = TouchesParticipant(stored, participant);
        if (!touches.ok()) {
          failed = Status::Corruption("journal/" + std::to_string(e.seq) + ": " +
                                      touches.status().message());
          return false;
        }
        if (!*touches) return true;
        auto proof = r.InclusionProof(index, cp.size);
        if (!proof.ok()) {
          failed = proof.status();
          return false;
        }
        b.events.push_back({index, std::string(stored), std::move(proof).value()});
        return true;
      });
  MEDMIJ_RETURN_IF_ERROR(scanned);
  MEDMIJ_RETURN_IF_ERROR(failed);

  for (ListKind list : kAllLists) {
    auto source = EntrySourceOf(list);
    if (!source) continue;
    MEDMIJ_ASSIGN_OR_RETURN(auto versions, r.ListVersions(list));
    bool was_on = false;
    for (const store::ListVersion& v : versions) {
      auto at = owned_at_archive.find({std::string(ToString(list)), v.volgnummer});
      if (at == owned_at_archive.end()) continue;  // archived after the checkpoint
      const std::set<std::string>& keys = at->second[source->table];
      bool on = false;
      if (!keys.empty()) {
        MEDMIJ_ASSIGN_OR_RETURN(auto bytes, r.GetListBytes(list, v.volgnummer));
        if (!bytes) {
          return Status::Corruption(std::string(ToString(list)) + " version " +
                                    std::to_string(v.volgnummer) + ": archived without its bytes");
        }
        MEDMIJ_ASSIGN_OR_RETURN(auto entries, lists::EntryKeys(list, *bytes));
        on = std::any_of(entries.begin(), entries.end(),
                         [&](const std::string& k) { return keys.contains(k); });
      }
      if (on != was_on) {
        b.list_versions.push_back({std::string(ToString(list)), v.volgnummer,
                                   FormatTijdstempel(v.tijdstempel), v.sha256,
                                   on ? "entered" : "left"});
      }
      was_on = on;
    }
  }
  return b;
}

}  // namespace medmij::audit
