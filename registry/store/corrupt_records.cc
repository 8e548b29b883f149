// Reader::CorruptRecords: every stored record that does not decode, for `check` and the
// service's health report.
#include "registry/store/txn.h"

namespace medmij::store {

using internal::DbiOf;

Result<std::vector<CorruptRecord>> Reader::CorruptRecords() const {
  const Impl& r = *impl_;
  std::vector<CorruptRecord> out;
  for (const internal::TableSpec& spec : internal::kTables) {
    MEDMIJ_RETURN_IF_ERROR(
        r.Scan(DbiOf(spec.table), "", "", [&](std::string_view k, std::string_view v) {
          if (auto why = Impl::RecordDecodeFailure(spec.table, v)) {
            out.push_back(CorruptRecord{std::string(spec.name), std::string(k), *why});
          }
          return true;
        }));
  }
  MEDMIJ_RETURN_IF_ERROR(
      r.Scan(internal::kJournalDbi, "", "", [&](std::string_view k, std::string_view v) {
        JournalEvent ev;
        if (auto why = journal::TryDecode(v, ev)) {
          out.push_back(CorruptRecord{"journal", journal::KeyName(k), *why});
        }
        return true;
      }));
  MEDMIJ_ASSIGN_OR_RETURN(auto head, r.Get(internal::kMetaDbi, internal::kJournalHeadKey));
  internal::JournalHead decoded;
  if (head) {
    if (auto why = Impl::DecodeHead(*head, decoded)) {
      out.push_back(CorruptRecord{"meta", std::string(internal::kJournalHeadKey), *why});
    }
  }
  return out;
}

}  // namespace medmij::store
