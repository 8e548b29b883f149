// CompactArchive: older list versions re-encoded as keyframes and deltas (archive_encoding.h).
// Built on the public Reader/WriteTxn API: the encoding work happens outside any transaction
// (the bytes are copied out first), so neither readers' snapshots nor the writer lock are held
// while zstd runs; each version's write transaction only replaces one value.
#include "registry/common/sha256.h"
#include "registry/store/archive_encoding.h"
#include "registry/store/store.h"
#include "registry/store/tables.h"

namespace medmij::store {
namespace {

// One version to re-encode, and the bytes it needs (read in one snapshot).
struct Pending {
  ListVersion version;
  std::string whole;
  uint64_t base_volgnummer = 0;  // 0: encode as a keyframe
  std::string base;              // the base's whole bytes
};

// The oldest version of `list` still stored whole, other than its newest; nullopt: none left.
Result<std::optional<Pending>> NextToRecode(const Store& store, ListKind list) {
  MEDMIJ_ASSIGN_OR_RETURN(auto read, store.BeginRead());
  MEDMIJ_ASSIGN_OR_RETURN(auto versions, read->ListVersions(list));
  if (versions.size() < 2) return std::optional<Pending>();
  versions.pop_back();  // the newest stays whole: it is what the service serves and reloads
  for (const ListVersion& v : versions) {
    MEDMIJ_ASSIGN_OR_RETURN(auto stored,
                            read->GetRaw(Table::kListBytes, internal::ListKey(list, v.volgnummer)));
    if (!stored || archive::IsEncoded(*stored)) continue;
    Pending p;
    p.version = v;
    p.whole = std::move(*stored);
    const uint64_t keyframe = archive::KeyframeOf(v.volgnummer);
    if (keyframe != v.volgnummer) {
      MEDMIJ_ASSIGN_OR_RETURN(auto base, read->GetListBytes(list, keyframe));
      // A missing keyframe (a gap in the archive) makes this version a keyframe of its own.
      if (base) {
        p.base_volgnummer = keyframe;
        p.base = std::move(*base);
      }
    }
    return std::optional<Pending>(std::move(p));
  }
  return std::optional<Pending>();
}

}  // namespace

Result<CompactReport> CompactArchive(Store& store, size_t max_versions) {
  CompactReport report;
  for (ListKind list : kAllLists) {
    while (true) {
      MEDMIJ_ASSIGN_OR_RETURN(auto next, NextToRecode(store, list));
      if (!next) break;
      if (report.recoded == max_versions) {
        report.more = true;
        return report;
      }
      const Pending& p = *next;
      const std::string what =
          std::string(ToString(list)) + " version " + std::to_string(p.version.volgnummer);
      if (Sha256Hex(p.whole) != p.version.sha256) {
        return Status::Corruption("archive: " + what +
                                  ": stored bytes differ from the recorded sha256");
      }
      auto encoded = p.base_volgnummer == 0
                         ? archive::EncodeKeyframe(p.whole)
                         : archive::EncodeDelta(p.whole, p.base_volgnummer, p.base);
      if (!encoded.ok())
        return Status::Internal("archive: " + what + ": " + encoded.status().message());
      auto decoded = archive::Decode(*encoded, p.base);
      if (!decoded.ok() || Sha256Hex(*decoded) != p.version.sha256) {
        return Status::Internal("archive: " + what +
                                ": the re-encoding does not give the version back; left whole");
      }
      MEDMIJ_ASSIGN_OR_RETURN(auto write, store.BeginWrite());
      write->RecodeListBytes(list, p.version.volgnummer, *encoded);
      auto committed = write->Commit(EventMeta{});
      if (!committed.ok()) {
        // Another compactor re-encoded it first: nothing lost, go on with the next.
        if (committed.status().code() == Status::Code::kFailedPrecondition) continue;
        return committed.status();
      }
      report.recoded += 1;
      report.bytes_before += p.whole.size();
      report.bytes_after += encoded->size();
    }
  }
  return report;
}

}  // namespace medmij::store
