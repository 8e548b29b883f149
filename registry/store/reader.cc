// Reader: typed reads of one snapshot.
#include "registry/store/txn.h"

namespace medmij::store {

using internal::DbiOf;
using internal::ListKey;

Reader::Reader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Reader::~Reader() = default;

std::optional<Participant> Reader::GetParticipant(std::string_view id) const {
  return impl_->GetTyped<Participant>(Table::kParticipants, id);
}
std::optional<Node> Reader::GetNode(std::string_view hostname) const {
  return impl_->GetTyped<Node>(Table::kNodes, hostname);
}
std::optional<OAuthClient> Reader::GetOAuthClient(std::string_view hostname) const {
  return impl_->GetTyped<OAuthClient>(Table::kOAuthClients, hostname);
}
std::optional<DataService> Reader::GetService(std::string_view id) const {
  return impl_->GetTyped<DataService>(Table::kServices, id);
}
std::optional<Provider> Reader::GetProvider(std::string_view name) const {
  return impl_->GetTyped<Provider>(Table::kProviders, name);
}
std::optional<ComplianceCase> Reader::GetCase(std::string_view id) const {
  return impl_->GetTyped<ComplianceCase>(Table::kCases, id);
}
std::optional<TerminationRequest> Reader::GetTerminationRequest(std::string_view id) const {
  return impl_->GetTyped<TerminationRequest>(Table::kTerminationRequests, id);
}

std::vector<Node> Reader::NodesOf(std::string_view participant) const {
  return impl_->ByOwner<Node>(Table::kNodes, participant);
}
std::vector<OAuthClient> Reader::OAuthClientsOf(std::string_view participant) const {
  return impl_->ByOwner<OAuthClient>(Table::kOAuthClients, participant);
}
std::vector<Provider> Reader::ProvidersOf(std::string_view dva) const {
  return impl_->ByOwner<Provider>(Table::kProviders, dva);
}
std::vector<ComplianceCase> Reader::CasesOf(std::string_view participant) const {
  return impl_->ByOwner<ComplianceCase>(Table::kCases, participant);
}
std::vector<Participant> Reader::AllParticipants() const {
  return impl_->All<Participant>(Table::kParticipants);
}
std::vector<DataService> Reader::AllServices() const {
  return impl_->All<DataService>(Table::kServices);
}
std::vector<ComplianceCase> Reader::AllCases() const {
  return impl_->All<ComplianceCase>(Table::kCases);
}
std::vector<TerminationRequest> Reader::AllTerminationRequests() const {
  return impl_->All<TerminationRequest>(Table::kTerminationRequests);
}

RegistryState Reader::LoadState() const {
  RegistryState s;
  internal::ForEachStateTable(s, [&](Table t, auto& table) { impl_->LoadInto(t, table); });
  return s;
}

std::optional<ListVersion> Reader::CurrentListVersion(ListKind list) const {
  // Keys are "<list>/<20 digits>", so the last key with that prefix is the highest volgnummer.
  std::string prefix = std::string(ToString(list)) + "/";
  auto last = impl_->Last(DbiOf(Table::kListVersions), prefix);
  if (!last) return std::nullopt;
  return Impl::DecodeRecord<ListVersion>(Table::kListVersions, last->first, last->second);
}

std::vector<ListVersion> Reader::ListVersions(ListKind list) const {
  std::vector<ListVersion> out;
  std::string prefix = std::string(ToString(list)) + "/";
  impl_->Scan(DbiOf(Table::kListVersions), prefix, "", [&](std::string_view k, std::string_view v) {
    out.push_back(Impl::DecodeRecord<ListVersion>(Table::kListVersions, k, v));
    return true;
  });
  return out;
}

std::optional<ListVersion> Reader::GetListVersion(ListKind list, uint64_t volgnummer) const {
  return impl_->GetTyped<ListVersion>(Table::kListVersions, ListKey(list, volgnummer));
}

std::optional<std::string> Reader::GetListBytes(ListKind list, uint64_t volgnummer) const {
  auto raw = impl_->Get(DbiOf(Table::kListBytes), ListKey(list, volgnummer));
  if (!raw) return std::nullopt;
  return std::string(*raw);
}

uint64_t Reader::JournalLength() const {
  if (impl_->write) return impl_->head_seq;
  return impl_->ReadHead().seq;
}

void Reader::ForEachEvent(uint64_t from_seq,
                          const std::function<bool(const JournalEvent&)>& fn) const {
  ForEachStoredEvent(from_seq, [&](const JournalEvent& ev, std::string_view) { return fn(ev); });
}

void Reader::ForEachStoredEvent(
    uint64_t from_seq,
    const std::function<bool(const JournalEvent&, std::string_view stored)>& fn) const {
  std::string from = journal::SeqKey(from_seq);
  impl_->Scan(internal::kJournalDbi, "", from, [&](std::string_view k, std::string_view v) {
    JournalEvent ev;
    try {
      ev = journal::Decode(v);
    } catch (const std::exception& e) {
      auto seq = journal::ParseSeqKey(k);
      throw CorruptionError("journal event " +
                            (seq ? std::to_string(*seq) : internal::Printable(k)) +
                            ": does not decode: " + e.what());
    }
    return fn(ev, v);
  });
}

std::optional<std::string> Reader::GetRaw(Table table, std::string_view key) const {
  auto raw = impl_->Get(DbiOf(table), key);
  if (!raw) return std::nullopt;
  return std::string(*raw);
}

void Reader::ForEachRaw(Table table,
                        const std::function<void(std::string_view, std::string_view)>& fn) const {
  impl_->Scan(DbiOf(table), "", "", [&](std::string_view k, std::string_view v) {
    fn(k, v);
    return true;
  });
}

}  // namespace medmij::store
