// The transparency-log evidence of every archived list version (issue 11 item 4): beside
// `/lists/{list}/versions/{n}.xml`, `{n}.event` (the stored bytes of the journal event that
// archived the version, which name its sha256) and `{n}.tlog-proof` (C2SP tlog-proof@v1: that
// event as `extra`, its index seq - 1, the inclusion hashes, and the FIRST signed checkpoint
// whose tree holds it).
//
// A proof never changes once written, so the checkpointer writes it when it signs that first
// checkpoint, into `<data dir>/tlog-proofs/<list>/<volgnummer>.tlog-proof` (atomic, fsynced,
// never replaced), before the checkpoint itself is archived: after a crash in between, the
// next checkpoint finds the proof there and keeps it. Versions archived before any log key
// was configured get theirs at the first checkpoint. With an export dir, the `.event` and
// `.tlog-proof` files are written there too, at the HTTP paths (`lists/<list>/versions/`), so
// nginx or a CDN can serve them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "registry/common/status.h"
#include "registry/domain/types.h"
#include "registry/store/store.h"

namespace medmij::service {

class VersionProofs {
 public:
  static constexpr std::string_view kDirName = "tlog-proofs";

  // `export_dir` empty: no export. Creates nothing until the first write.
  VersionProofs(std::filesystem::path data_dir, std::filesystem::path export_dir);

  // Writes the proof under the checkpoint `note` (of a tree of `size` events, all in `store`'s
  // journal) of every version archived by an event with seq in (after_size, size] that has
  // none yet; a version's existing proof is kept as it is. kIoError naming the file when one
  // cannot be written (the ones before it stay: each is whole).
  Status WriteCovered(const store::Store& store, uint64_t after_size, uint64_t size,
                      const std::string& note) const;

  // The proof of (list, volgnummer), or nullopt while no checkpoint covers it.
  Result<std::optional<std::string>> Read(ListKind list, uint64_t volgnummer) const;

  // The file names of a version's files ("<volgnummer>.event", "<volgnummer>.tlog-proof").
  static std::string EventFileName(uint64_t volgnummer);
  static std::string ProofFileName(uint64_t volgnummer);

 private:
  std::filesystem::path ProofPath(ListKind list, uint64_t volgnummer) const;
  Status Export(ListKind list, uint64_t volgnummer, const std::string& event,
                const std::string& proof) const;

  std::filesystem::path dir_;
  std::filesystem::path export_dir_;
};

}  // namespace medmij::service
