#include "registry/publisher/incremental.h"

#include <exception>
#include <memory>
#include <stdexcept>
#include <utility>

#include "registry/common/sha256.h"
#include "registry/common/sha256_stream.h"
#include "registry/domain/json.h"
#include "registry/domain/policy.h"

namespace medmij::publisher {
namespace {

// The parts one after the other (appended: no "literal" + std::string, see STYLE.md).
template <typename... Parts>
std::string Join(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

constexpr ListKind kProviderLists[] = {ListKind::kZorgaanbiederslijst,
                                       ListKind::kZorgaanbiederslijstRelease3,
                                       ListKind::kZorgaanbiederskoppellijst};

// Room left after the entries for the head, the tail and the signature (lists.cc's
// kSignatureRoom and then some): RenderTakingEntries then does not reallocate.
constexpr size_t kDocumentRoom = 32 * 1024;

// Hex SHA-256 over the fragments of `entries` in order: Sha256Hex of their concatenation.
std::string DigestOf(const std::map<std::string, std::string>& entries) {
  Sha256Stream sha;
  for (const auto& [key, fragment] : entries) sha.Update(fragment);
  return sha.Hex();
}

// The owner field of a record that has one (the index the held maps keep).
const std::string& OwnerOf(const Node& n) {
  return n.participant;
}
const std::string& OwnerOf(const OAuthClient& c) {
  return c.participant;
}
const std::string& OwnerOf(const Provider& p) {
  return p.dva;
}

}  // namespace

IncrementalLists::IncrementalLists(ListSet lists) : kept_(lists) {
  for (ListKind k : kAllLists) L(k).kept = kept_.test(static_cast<size_t>(k));
}

void IncrementalLists::Invalidate() {
  invalidated_ = built_;
  built_ = false;
}

Result<IncrementalLists::UpdateInfo> IncrementalLists::Update(const store::Reader& reader,
                                                              Time now) {
  UpdateInfo info;
  std::string why;
  if (!built_) {
    why = invalidated_ ? "invalidated" : "first publication";
    invalidated_ = false;
  } else if (now < now_) {
    why = "the clock went back";
  } else {
    Dirty dirty;
    if (ApplyJournal(reader, dirty, info, why)) {
      now_ = now;
      // Standing that may have changed by time alone.
      while (!lapses_.empty() && lapses_.begin()->first <= now) {
        dirty.participants.insert(lapses_.begin()->second);
        lapses_.erase(lapses_.begin());
      }
      for (const std::string& id : dirty.participants) Standing(id, now);
      info.entries = Rederive(dirty);
      return info;
    }
  }
  info = UpdateInfo{};
  info.rebuilt = true;
  info.why = std::move(why);
  MEDMIJ_RETURN_IF_ERROR(Rebuild(reader, now));
  return info;
}

bool IncrementalLists::ApplyJournal(const store::Reader& reader, Dirty& dirty, UpdateInfo& info,
                                    std::string& why) {
  // The first event: another journal (a restored backup, another data dir) has another. Its
  // log leaf hash (Reader::TreeHash(1)) names it without reading and decoding the event.
  if (!first_leaf_.empty()) {
    auto first = reader.TreeHash(1);
    if (!first.ok() || std::string(first->begin(), first->end()) != first_leaf_) {
      why = "another journal (its first event differs)";
      return false;
    }
  }
  // The events applied so far are still the journal's first seq_: its tree hash over them
  // (Reader::TreeHash, a few stored hashes) is unchanged. The event applied last is not read
  // again (it may be a large import event).
  if (seq_ > 0) {
    auto tree = reader.TreeHash(seq_);
    if (!tree.ok() || std::string(tree->begin(), tree->end()) != tree_hash_) {
      why = Join("the journal changed at or before event ", std::to_string(seq_));
      return false;
    }
  }
  bool ok = true;
  const uint64_t applied_before = seq_;
  Status st = reader.ForEachEvent(seq_ + 1, [&](const store::JournalEvent& ev) {
    if (ev.seq != seq_ + 1) {
      why = Join("journal gap after event ", std::to_string(seq_));
      ok = false;
      return false;
    }
    const std::string& expected_prev = seq_ == 0 ? std::string(64, '0') : last_hash_;
    if (ev.prev_hash != expected_prev) {
      why = Join("event ", std::to_string(ev.seq), " does not follow the event applied last");
      ok = false;
      return false;
    }
    for (const store::Change& c : ev.changes) {
      if (!ApplyChange(c, dirty, why)) {
        why = Join("event ", std::to_string(ev.seq), ": ", why);
        ok = false;
        return false;
      }
    }
    seq_ = ev.seq;
    last_hash_ = ev.hash;
    ++info.events;
    return true;
  });
  if (!st.ok()) {
    why = Join("reading the journal: ", st.message());
    return false;
  }
  if (!ok) return false;
  if (seq_ != applied_before) {
    auto tree = reader.TreeHash(seq_);
    auto first = reader.TreeHash(1);
    if (!tree.ok() || !first.ok()) {
      why = Join("reading the journal: ", (tree.ok() ? first.status() : tree.status()).message());
      return false;
    }
    tree_hash_.assign(tree->begin(), tree->end());
    first_leaf_.assign(first->begin(), first->end());
  }
  return true;
}

bool IncrementalLists::ApplyChange(const store::Change& c, Dirty& dirty, std::string& why) {
  // Checks `before` against the held record, then puts or erases the `after`. `on_change` is
  // called first with the record held and the new one (nullptr: none), so that an owner index
  // can follow a record from one owner to another.
  auto apply = [&](auto& table, auto&& on_change) -> bool {
    using T = typename std::decay_t<decltype(table)>::mapped_type;
    auto it = table.find(c.key);
    const bool held = it != table.end();
    if (held != c.before.has_value() || (held && nlohmann::json(it->second) != *c.before)) {
      why = Join(std::string(store::TableName(c.table)), "/", c.key,
                 ": the change's before is not the record held");
      return false;
    }
    std::optional<T> after;
    if (c.after) {
      try {
        after = c.after->get<T>();
      } catch (const std::exception& e) {
        why = Join(std::string(store::TableName(c.table)), "/", c.key,
                   ": does not decode: ", e.what());
        return false;
      }
    }
    on_change(held ? &it->second : nullptr, after ? &*after : nullptr);
    if (after) {
      table.insert_or_assign(c.key, std::move(*after));
    } else if (held) {
      table.erase(it);
    }
    return true;
  };
  // Keeps `index` (owner -> keys) in step with an owned record's owner.
  auto reindex = [&](std::map<std::string, std::set<std::string>>& index) {
    return [&index, &c](const auto* before, const auto* after) {
      if (before != nullptr) {
        auto it = index.find(OwnerOf(*before));
        if (it != index.end()) {
          it->second.erase(c.key);
          if (it->second.empty()) index.erase(it);
        }
      }
      if (after != nullptr) index[OwnerOf(*after)].insert(c.key);
    };
  };
  switch (c.table) {
    case store::Table::kParticipants:
      dirty.participants.insert(c.key);
      return apply(state_.participants, [](const Participant*, const Participant*) {});
    case store::Table::kNodes:
      dirty.nodes.insert(c.key);
      return apply(state_.nodes, reindex(nodes_of_));
    case store::Table::kOAuthClients:
      dirty.clients.insert(c.key);
      return apply(state_.oauth_clients, reindex(clients_of_));
    case store::Table::kServices:
      dirty.services.insert(c.key);
      dirty.catalogue = true;
      return apply(state_.services, [](const DataService*, const DataService*) {});
    case store::Table::kProviders:
      dirty.providers.insert(c.key);
      return apply(state_.providers, reindex(providers_of_));
    case store::Table::kCases:
    case store::Table::kTerminationRequests:
    case store::Table::kCounters:
    case store::Table::kListVersions:
    case store::Table::kListBytes:
      return true;  // the lists are not derived from these
    default:
      // A table added since (a schema step): whether the lists depend on it is not known
      // here, so it is a full rebuild until this switch names it.
      break;
  }
  why = Join("a change of table ", std::string(store::TableName(c.table)),
             " (not known to the incremental derivation)");
  return false;
}

void IncrementalLists::Standing(const std::string& id, Time now) {
  if (auto it = lapse_of_.find(id); it != lapse_of_.end()) {
    lapses_.erase({it->second, id});
    lapse_of_.erase(it);
  }
  auto p = state_.participants.find(id);
  if (p == state_.participants.end()) {
    good_.erase(id);
    return;
  }
  good_[id] = policy::EvaluateStanding(p->second, now).good;
  if (std::optional<Time> next = policy::NextStandingChange(p->second, now)) {
    lapses_.emplace(*next, id);
    lapse_of_[id] = *next;
  }
}

const Participant* IncrementalLists::GoodParticipant(const std::string& id) const {
  auto g = good_.find(id);
  if (g == good_.end() || !g->second) return nullptr;
  auto p = state_.participants.find(id);
  return p == state_.participants.end() ? nullptr : &p->second;
}

void IncrementalLists::SetEntry(ListKind list, const std::string& key,
                                std::optional<std::string> fragment) {
  List& l = L(list);
  auto it = l.entries.find(key);
  if (!fragment) {
    if (it == l.entries.end()) return;
    l.bytes -= it->second.size();
    l.entries.erase(it);
    l.pending.erase(key);
    l.digest_stale = true;
    return;
  }
  if (it != l.entries.end()) {
    if (it->second == *fragment) return;
    l.bytes -= it->second.size();
    l.bytes += fragment->size();
    it->second = std::move(*fragment);
  } else {
    l.bytes += fragment->size();
    l.entries.emplace(key, std::move(*fragment));
  }
  l.pending.insert(key);
  l.digest_stale = true;
}

void IncrementalLists::RenderNode(const std::string& hostname) {
  if (!L(ListKind::kWhitelist).kept) return;
  std::optional<std::string> fragment;
  auto n = state_.nodes.find(hostname);
  if (n != state_.nodes.end() && GoodParticipant(n->second.participant) != nullptr) {
    fragment.emplace();
    lists::AppendWhitelistEntry(*fragment, hostname);
  }
  SetEntry(ListKind::kWhitelist, hostname, std::move(fragment));
}

void IncrementalLists::RenderClient(const std::string& hostname) {
  if (!L(ListKind::kOAuthClientList).kept) return;
  std::optional<std::string> fragment;
  auto c = state_.oauth_clients.find(hostname);
  if (c != state_.oauth_clients.end()) {
    if (const Participant* dvp = GoodParticipant(c->second.participant)) {
      std::string out;
      if (lists::AppendOclEntry(out, hostname, c->second, *dvp)) fragment = std::move(out);
    }
  }
  SetEntry(ListKind::kOAuthClientList, hostname, std::move(fragment));
}

void IncrementalLists::RenderProvider(const std::string& name) {
  auto p = state_.providers.find(name);
  const Participant* dva = p == state_.providers.end() ? nullptr : GoodParticipant(p->second.dva);
  for (ListKind list : kProviderLists) {
    if (!L(list).kept) continue;
    std::optional<std::string> fragment;
    if (dva != nullptr) {
      std::string out;
      if (lists::AppendProviderEntry(out, list, p->second, *dva, state_.services)) {
        fragment = std::move(out);
      }
    }
    SetEntry(list, name, std::move(fragment));
  }
}

void IncrementalLists::RenderService(const std::string& id) {
  if (!L(ListKind::kGegevensdienstnamenlijst).kept) return;
  std::optional<std::string> fragment;
  auto s = state_.services.find(id);
  if (s != state_.services.end()) {
    fragment.emplace();
    lists::AppendGnlEntry(*fragment, id, s->second);
  }
  SetEntry(ListKind::kGegevensdienstnamenlijst, id, std::move(fragment));
}

size_t IncrementalLists::Rederive(const Dirty& dirty) {
  std::set<std::string> nodes = dirty.nodes;
  std::set<std::string> clients = dirty.clients;
  std::set<std::string> providers = dirty.providers;
  for (const std::string& id : dirty.participants) {
    if (auto it = nodes_of_.find(id); it != nodes_of_.end()) {
      nodes.insert(it->second.begin(), it->second.end());
    }
    if (auto it = clients_of_.find(id); it != clients_of_.end()) {
      clients.insert(it->second.begin(), it->second.end());
    }
    if (auto it = providers_of_.find(id); it != providers_of_.end()) {
      providers.insert(it->second.begin(), it->second.end());
    }
  }
  size_t n = 0;
  for (const std::string& h : nodes) RenderNode(h), ++n;
  for (const std::string& h : clients) RenderClient(h), ++n;
  for (const std::string& id : dirty.services) RenderService(id), ++n;
  if (dirty.catalogue) {
    // Every provider entry reads the catalogue (qualified services, ZAKL display names).
    for (const auto& [name, provider] : state_.providers) RenderProvider(name), ++n;
    // Providers erased in this update are no longer in state_.
    for (const std::string& name : providers) {
      if (!state_.providers.contains(name)) RenderProvider(name), ++n;
    }
  } else {
    for (const std::string& name : providers) RenderProvider(name), ++n;
  }
  return n;
}

Status IncrementalLists::Rebuild(const store::Reader& reader, Time now) {
  built_ = false;
  state_ = RegistryState{};
  good_.clear();
  nodes_of_.clear();
  clients_of_.clear();
  providers_of_.clear();
  lapses_.clear();
  lapse_of_.clear();
  for (ListKind k : kAllLists) {
    List& l = L(k);
    l = List{};
    l.kept = kept_.test(static_cast<size_t>(k));
  }
  seq_ = 0;
  last_hash_.clear();
  first_leaf_.clear();
  tree_hash_.clear();

  MEDMIJ_ASSIGN_OR_RETURN(uint64_t length, reader.JournalLength());
  MEDMIJ_ASSIGN_OR_RETURN(RegistryState state, reader.LoadState());
  if (length > 0) {
    std::string last;
    MEDMIJ_RETURN_IF_ERROR(reader.ForEachEvent(length, [&](const store::JournalEvent& ev) {
      if (ev.seq == length) last = ev.hash;
      return false;
    }));
    MEDMIJ_ASSIGN_OR_RETURN(merkle::Hash first, reader.TreeHash(1));
    MEDMIJ_ASSIGN_OR_RETURN(merkle::Hash tree, reader.TreeHash(length));
    if (last.empty()) {
      return Status::Corruption("publish: the journal does not hold the events it counts");
    }
    last_hash_ = std::move(last);
    first_leaf_.assign(first.begin(), first.end());
    tree_hash_.assign(tree.begin(), tree.end());
  }
  seq_ = length;
  // Only what the lists are derived from is held.
  state_.participants = std::move(state.participants);
  state_.nodes = std::move(state.nodes);
  state_.oauth_clients = std::move(state.oauth_clients);
  state_.services = std::move(state.services);
  state_.providers = std::move(state.providers);
  state = RegistryState{};
  now_ = now;
  for (const auto& [host, n] : state_.nodes) nodes_of_[n.participant].insert(host);
  for (const auto& [host, c] : state_.oauth_clients) clients_of_[c.participant].insert(host);
  for (const auto& [name, p] : state_.providers) providers_of_[p.dva].insert(name);
  for (const auto& [id, p] : state_.participants) Standing(id, now);
  for (const auto& [host, n] : state_.nodes) RenderNode(host);
  for (const auto& [host, c] : state_.oauth_clients) RenderClient(host);
  for (const auto& [id, s] : state_.services) RenderService(id);
  for (const auto& [name, p] : state_.providers) RenderProvider(name);
  for (ListKind k : kAllLists) {
    L(k).pending.clear();  // not validated as a whole yet: Validated() says so
    L(k).validated = false;
  }
  built_ = true;
  return Status::Ok();
}

const std::string& IncrementalLists::Digest(ListKind list) {
  List& l = L(list);
  if (l.digest_stale) {
    l.digest = DigestOf(l.entries);
    l.digest_stale = false;
  }
  return l.digest;
}

size_t IncrementalLists::EntryCount(ListKind list) const {
  return L(list).entries.size();
}

lists::ListContent IncrementalLists::Content(ListKind list) const {
  const List& l = L(list);
  lists::ListContent c;
  c.list = list;
  c.entries_xml.reserve(l.bytes + kDocumentRoom);
  for (const auto& [key, fragment] : l.entries) c.entries_xml.append(fragment);
  c.entry_count = l.entries.size();
  c.digest = l.digest_stale ? Sha256Hex(c.entries_xml) : l.digest;
  return c;
}

bool IncrementalLists::Validated(ListKind list) const {
  return built_ && L(list).validated;
}

lists::ListContent IncrementalLists::PendingValidation(ListKind list) const {
  const List& l = L(list);
  lists::ListContent c;
  c.list = list;
  for (const std::string& key : l.pending) {
    auto it = l.entries.find(key);
    if (it == l.entries.end()) continue;
    c.entries_xml.append(it->second);
    ++c.entry_count;
  }
  if (c.entry_count == 0 && !l.entries.empty()) {
    c.entries_xml = l.entries.begin()->second;
    c.entry_count = 1;
  }
  return c;
}

Status IncrementalLists::CheckUnique(ListKind list) const {
  const List& l = L(list);
  const std::string_view key_element = Spec(list).key;
  const std::string rule = Join("unique ", std::string(key_element));
  for (const std::string& key : l.pending) {
    auto it = l.entries.find(key);
    if (it == l.entries.end()) continue;
    // The entry's first key element, as rendered (escaped as the renderer escapes it).
    const std::string open = Join("<", std::string(key_element), ">");
    const size_t start = it->second.find(open);
    const size_t end =
        start == std::string::npos ? start : it->second.find('<', start + open.size());
    std::string expected;
    for (char ch : key) {
      if (ch == '&') {
        expected += "&amp;";
      } else if (ch == '<') {
        expected += "&lt;";
      } else if (ch == '>') {
        expected += "&gt;";
      } else {
        expected += ch;
      }
    }
    if (end == std::string::npos ||
        it->second.compare(start + open.size(), end - start - open.size(), expected) != 0) {
      return Status::Invalid(Join(std::string(ToString(list)), ": rule ", rule, ": the entry of ",
                                  key, " does not carry its own key, so uniqueness is not known"));
    }
  }
  return Status::Ok();
}

void IncrementalLists::MarkValidated(ListKind list) {
  L(list).pending.clear();
  L(list).validated = true;
}

std::optional<Time> IncrementalLists::NextStandingChange() const {
  if (lapses_.empty()) return std::nullopt;
  return lapses_.begin()->first;
}

}  // namespace medmij::publisher
