// WriteTxn: typed writes, each recorded for the journal event Commit() appends.
#include "registry/common/sha256.h"
#include "registry/store/archive_encoding.h"
#include "registry/store/txn.h"

namespace medmij::store {

using internal::DbiOf;
using internal::ListKey;
using internal::Where;
using nlohmann::json;

namespace {

json BytesDigest(std::string_view bytes) {
  return json{{"sha256", Sha256Hex(bytes)}, {"size", bytes.size()}};
}

// Puts `record` as its canonical JSON. A record the codec refuses to encode (a time outside the
// supported range: it would not decode) makes the transaction fail; nothing is written.
template <typename T>
void PutEncoded(internal::TxnState& w, Table t, const std::string& key, const T& record) {
  if (!w.Usable()) return;
  json j;
  try {
    j = record;
  } catch (const json::exception& e) {
    w.SetError(Status::Invalid(Where(t, key) + ": cannot encode record: " + e.what()));
    return;
  }
  w.PutRecord(t, key, std::move(j));
}

}  // namespace

WriteTxn::WriteTxn(std::unique_ptr<Impl> impl) : Reader(std::move(impl)) {}
WriteTxn::~WriteTxn() {
  impl_->EndWrite(/*commit=*/false);
}  // no-op after Commit()

void WriteTxn::Put(const Participant& p) {
  PutEncoded(*impl_, Table::kParticipants, p.id, p);
}
void WriteTxn::Put(const Node& n) {
  PutEncoded(*impl_, Table::kNodes, n.hostname, n);
}
void WriteTxn::Put(const OAuthClient& c) {
  PutEncoded(*impl_, Table::kOAuthClients, c.hostname, c);
}
void WriteTxn::Put(const DataService& s) {
  PutEncoded(*impl_, Table::kServices, s.id, s);
}
void WriteTxn::Put(const Provider& p) {
  PutEncoded(*impl_, Table::kProviders, p.name, p);
}
void WriteTxn::Put(const ComplianceCase& c) {
  PutEncoded(*impl_, Table::kCases, c.id, c);
}
void WriteTxn::Put(const TerminationRequest& r) {
  PutEncoded(*impl_, Table::kTerminationRequests, r.id, r);
}
void WriteTxn::EraseNode(std::string_view hostname) {
  impl_->EraseRecord(Table::kNodes, std::string(hostname));
}
void WriteTxn::EraseOAuthClient(std::string_view hostname) {
  impl_->EraseRecord(Table::kOAuthClients, std::string(hostname));
}
void WriteTxn::EraseProvider(std::string_view name) {
  impl_->EraseRecord(Table::kProviders, std::string(name));
}

void WriteTxn::PutListVersion(const ListVersion& v, std::string_view signed_bytes) {
  if (!impl_->Usable()) return;
  std::string key = ListKey(v.list, v.volgnummer);
  auto version = impl_->Get(DbiOf(Table::kListVersions), key);
  auto bytes = impl_->Get(DbiOf(Table::kListBytes), key);
  if (!version.ok()) return impl_->SetError(version.status());
  if (!bytes.ok()) return impl_->SetError(bytes.status());
  if (*version || *bytes) {
    impl_->SetError(Status::Exists("list version " + std::string(ToString(v.list)) + " " +
                                   std::to_string(v.volgnummer) +
                                   " is already archived; versions are immutable"));
    return;
  }
  PutEncoded(*impl_, Table::kListVersions, key, v);
  if (!impl_->Usable()) return;
  if (!impl_->RawPut(DbiOf(Table::kListBytes), key, signed_bytes, 0,
                     "put " + Where(Table::kListBytes, key))) {
    return;
  }
  impl_->Record(Change{Table::kListBytes, key, std::nullopt, BytesDigest(signed_bytes)});
}

void WriteTxn::RecodeListBytes(ListKind list, uint64_t volgnummer, std::string_view encoded) {
  if (!impl_->Usable()) return;
  std::string key = ListKey(list, volgnummer);
  auto stored = impl_->Get(DbiOf(Table::kListBytes), key);
  if (!stored.ok()) return impl_->SetError(stored.status());
  if (!*stored) {
    return impl_->SetError(Status::NotFound(Where(Table::kListBytes, key) + ": not archived"));
  }
  if (archive::IsEncoded(**stored)) {
    return impl_->SetError(Status::Refused(Where(Table::kListBytes, key) + ": already re-encoded"));
  }
  if (!impl_->RawPut(DbiOf(Table::kListBytes), key, encoded, 0,
                     "recode " + Where(Table::kListBytes, key))) {
    return;
  }
  impl_->recoded = true;
}

Result<uint64_t> WriteTxn::NextCounter(std::string_view name) {
  Impl& w = *impl_;
  MEDMIJ_RETURN_IF_ERROR(w.error);
  MEDMIJ_ASSIGN_OR_RETURN(auto raw, w.Get(DbiOf(Table::kCounters), name));
  uint64_t value = 0;
  if (raw) {
    if (auto why = Impl::RecordDecodeFailure(Table::kCounters, *raw)) {
      return Impl::Undecodable(Table::kCounters, name, *why);
    }
    value = json::parse(*raw).get<uint64_t>();
  }
  w.PutRecord(Table::kCounters, std::string(name), json(value + 1));
  MEDMIJ_RETURN_IF_ERROR(w.error);
  return value + 1;
}

size_t WriteTxn::ChangeCount() const {
  return impl_->total_changes;
}

void WriteTxn::AppendEvent(const EventMeta& meta) {
  impl_->AppendEvent(meta);
}

Result<uint64_t> WriteTxn::Commit(const EventMeta& meta) {
  Impl& w = *impl_;
  w.AppendEvent(meta);
  if (!w.error.ok()) {
    w.EndWrite(/*commit=*/false);
    return w.error;
  }
  if (!w.txn) return Status::Internal("Commit on a finished transaction");
  if (w.events_appended == 0 && !w.recoded) {
    w.EndWrite(/*commit=*/false);
    return uint64_t{0};
  }
  if (w.events_appended > 0 && !w.PutHead()) {
    w.EndWrite(/*commit=*/false);
    return w.error;
  }
  int rc = w.EndWrite(/*commit=*/true);
  if (rc != MDB_SUCCESS) {
    w.SetError(w.core->Error(rc, "commit"));
    return w.error;
  }
  return w.head_seq;
}

}  // namespace medmij::store
