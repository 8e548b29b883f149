// Reader: typed reads of one snapshot.
#include "registry/store/txn.h"

namespace medmij::store {

using internal::DbiOf;
using internal::ListKey;

Reader::Reader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Reader::~Reader() = default;

Result<std::optional<Participant>> Reader::GetParticipant(std::string_view id) const {
  return impl_->GetTyped<Participant>(Table::kParticipants, id);
}
Result<std::optional<Node>> Reader::GetNode(std::string_view hostname) const {
  return impl_->GetTyped<Node>(Table::kNodes, hostname);
}
Result<std::optional<OAuthClient>> Reader::GetOAuthClient(std::string_view hostname) const {
  return impl_->GetTyped<OAuthClient>(Table::kOAuthClients, hostname);
}
Result<std::optional<DataService>> Reader::GetService(std::string_view id) const {
  return impl_->GetTyped<DataService>(Table::kServices, id);
}
Result<std::optional<Provider>> Reader::GetProvider(std::string_view name) const {
  return impl_->GetTyped<Provider>(Table::kProviders, name);
}
Result<std::optional<ComplianceCase>> Reader::GetCase(std::string_view id) const {
  return impl_->GetTyped<ComplianceCase>(Table::kCases, id);
}
Result<std::optional<TerminationRequest>> Reader::GetTerminationRequest(std::string_view id) const {
  return impl_->GetTyped<TerminationRequest>(Table::kTerminationRequests, id);
}

Result<std::vector<Node>> Reader::NodesOf(std::string_view participant) const {
  return impl_->ByOwner<Node>(Table::kNodes, participant);
}
Result<std::vector<OAuthClient>> Reader::OAuthClientsOf(std::string_view participant) const {
  return impl_->ByOwner<OAuthClient>(Table::kOAuthClients, participant);
}
Result<std::vector<Provider>> Reader::ProvidersOf(std::string_view dva) const {
  return impl_->ByOwner<Provider>(Table::kProviders, dva);
}
Result<std::vector<ComplianceCase>> Reader::CasesOf(std::string_view participant) const {
  return impl_->ByOwner<ComplianceCase>(Table::kCases, participant);
}
Result<std::vector<Participant>> Reader::AllParticipants(
    std::vector<CorruptRecord>* corrupt) const {
  return impl_->All<Participant>(Table::kParticipants, corrupt);
}
Result<std::vector<DataService>> Reader::AllServices(std::vector<CorruptRecord>* corrupt) const {
  return impl_->All<DataService>(Table::kServices, corrupt);
}
Result<std::vector<ComplianceCase>> Reader::AllCases(std::vector<CorruptRecord>* corrupt) const {
  return impl_->All<ComplianceCase>(Table::kCases, corrupt);
}
Result<std::vector<TerminationRequest>> Reader::AllTerminationRequests(
    std::vector<CorruptRecord>* corrupt) const {
  return impl_->All<TerminationRequest>(Table::kTerminationRequests, corrupt);
}

Result<RegistryState> Reader::LoadState() const {
  RegistryState s;
  Status status;
  internal::ForEachStateTable(s, [&](Table t, auto& table) {
    if (status.ok()) status = impl_->LoadInto(t, table);
  });
  MEDMIJ_RETURN_IF_ERROR(status);
  return s;
}

Result<std::optional<ListVersion>> Reader::CurrentListVersion(ListKind list) const {
  // Keys are "<list>/<20 digits>", so the last key with that prefix is the highest volgnummer.
  std::string prefix = std::string(ToString(list)) + "/";
  MEDMIJ_ASSIGN_OR_RETURN(auto last, impl_->Last(DbiOf(Table::kListVersions), prefix));
  if (!last) return std::optional<ListVersion>();
  MEDMIJ_ASSIGN_OR_RETURN(ListVersion v, Impl::DecodeRecord<ListVersion>(
                                             Table::kListVersions, last->first, last->second));
  return std::optional<ListVersion>(std::move(v));
}

Result<std::vector<ListVersion>> Reader::ListVersions(ListKind list) const {
  std::vector<ListVersion> out;
  Status bad;
  std::string prefix = std::string(ToString(list)) + "/";
  MEDMIJ_RETURN_IF_ERROR(impl_->Scan(
      DbiOf(Table::kListVersions), prefix, "", [&](std::string_view k, std::string_view v) {
        auto version = Impl::DecodeRecord<ListVersion>(Table::kListVersions, k, v);
        if (!version.ok()) {
          bad = version.status();
          return false;
        }
        out.push_back(std::move(version).value());
        return true;
      }));
  MEDMIJ_RETURN_IF_ERROR(bad);
  return out;
}

Result<std::optional<ListVersion>> Reader::GetListVersion(ListKind list,
                                                          uint64_t volgnummer) const {
  return impl_->GetTyped<ListVersion>(Table::kListVersions, ListKey(list, volgnummer));
}

Result<std::optional<std::string>> Reader::GetListBytes(ListKind list, uint64_t volgnummer) const {
  return impl_->ListBytes(ListKey(list, volgnummer));
}

Result<uint64_t> Reader::JournalLength() const {
  if (impl_->write) {
    MEDMIJ_RETURN_IF_ERROR(impl_->error);
    return impl_->head_seq;
  }
  MEDMIJ_ASSIGN_OR_RETURN(internal::JournalHead head, impl_->ReadHead());
  return head.seq;
}

Status Reader::ForEachEvent(uint64_t from_seq,
                            const std::function<bool(const JournalEvent&)>& fn) const {
  return ForEachStoredEvent(from_seq,
                            [&](const JournalEvent& ev, std::string_view) { return fn(ev); });
}

Status Reader::ForEachStoredEvent(
    uint64_t from_seq,
    const std::function<bool(const JournalEvent&, std::string_view stored)>& fn) const {
  std::string from = journal::SeqKey(from_seq);
  Status bad;
  MEDMIJ_RETURN_IF_ERROR(
      impl_->Scan(internal::kJournalDbi, "", from, [&](std::string_view k, std::string_view v) {
        JournalEvent ev;
        if (auto why = journal::TryDecode(v, ev)) {
          bad = Status::Corruption("journal event " + journal::KeyName(k) +
                                   ": does not decode: " + *why);
          return false;
        }
        return fn(ev, v);
      }));
  return bad;
}

Result<std::optional<std::string>> Reader::GetRaw(Table table, std::string_view key) const {
  MEDMIJ_ASSIGN_OR_RETURN(auto raw, impl_->Get(DbiOf(table), key));
  if (!raw) return std::optional<std::string>();
  return std::optional<std::string>(std::string(*raw));
}

Status Reader::ForEachRaw(Table table,
                          const std::function<void(std::string_view, std::string_view)>& fn) const {
  return impl_->Scan(DbiOf(table), "", "", [&](std::string_view k, std::string_view v) {
    fn(k, v);
    return true;
  });
}

}  // namespace medmij::store
