#include "registry/service/version_proofs.h"

#include <fstream>
#include <sstream>

#include "registry/common/atomic_file.h"
#include "registry/common/tlog_proof.h"

namespace medmij::service {
namespace {

// `file`, written whole and durably unless it exists already (then left as it is).
Status WriteOnce(const std::filesystem::path& file, const std::string& bytes) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) return Status::IoError(file.parent_path().string() + ": " + ec.message());
  Status st = WriteFileAtomically(file, bytes, AtomicWriteOptions{.mode = 0644, .replace = false});
  if (st.code() == Status::Code::kAlreadyExists) return Status::Ok();
  return st;
}

}  // namespace

VersionProofs::VersionProofs(std::filesystem::path data_dir, std::filesystem::path export_dir)
    : dir_(std::move(data_dir) / std::string(kDirName)), export_dir_(std::move(export_dir)) {}

std::string VersionProofs::EventFileName(uint64_t volgnummer) {
  return std::to_string(volgnummer) + ".event";
}

std::string VersionProofs::ProofFileName(uint64_t volgnummer) {
  return std::to_string(volgnummer) + ".tlog-proof";
}

std::filesystem::path VersionProofs::ProofPath(ListKind list, uint64_t volgnummer) const {
  return dir_ / std::string(ToString(list)) / ProofFileName(volgnummer);
}

Status VersionProofs::WriteCovered(const store::Store& store, uint64_t after_size, uint64_t size,
                                   const std::string& note) const {
  MEDMIJ_ASSIGN_OR_RETURN(auto reader, store.BeginRead());
  MEDMIJ_ASSIGN_OR_RETURN(auto versions, reader->VersionsArchivedIn(after_size, size));
  for (store::LoggedVersion& v : versions) {
    const std::filesystem::path file = ProofPath(v.list, v.volgnummer);
    std::error_code ec;
    const bool exists = std::filesystem::exists(file, ec);
    if (ec) return Status::IoError(file.string() + ": " + ec.message());
    std::string proof;
    if (exists) {
      // Kept as first written; the export gets that one too.
      MEDMIJ_ASSIGN_OR_RETURN(auto kept, Read(v.list, v.volgnummer));
      if (!kept) return Status::IoError(file.string() + ": vanished");
      proof = std::move(*kept);
    } else {
      tlog_proof::Proof p;
      p.index = v.event.seq - 1;
      MEDMIJ_ASSIGN_OR_RETURN(p.hashes, reader->InclusionProof(p.index, size));
      p.extra = v.event.stored;
      p.checkpoint = note;
      proof = tlog_proof::Format(p);
      MEDMIJ_RETURN_IF_ERROR(WriteOnce(file, proof));
    }
    MEDMIJ_RETURN_IF_ERROR(Export(v.list, v.volgnummer, v.event.stored, proof));
  }
  return Status::Ok();
}

Status VersionProofs::Export(ListKind list, uint64_t volgnummer, const std::string& event,
                             const std::string& proof) const {
  if (export_dir_.empty()) return Status::Ok();
  const std::filesystem::path dir =
      export_dir_ / "lists" / std::string(ToString(list)) / "versions";
  MEDMIJ_RETURN_IF_ERROR(WriteOnce(dir / EventFileName(volgnummer), event));
  return WriteOnce(dir / ProofFileName(volgnummer), proof);
}

Result<std::optional<std::string>> VersionProofs::Read(ListKind list, uint64_t volgnummer) const {
  const std::filesystem::path file = ProofPath(list, volgnummer);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec) && !ec) return std::optional<std::string>();
    return Status::IoError(file.string() + ": cannot read");
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return Status::IoError(file.string() + ": cannot read");
  return std::optional<std::string>(bytes.str());
}

}  // namespace medmij::service
