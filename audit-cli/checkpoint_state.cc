#include "audit-cli/checkpoint_state.h"

#include "registry/common/tlog_verify.h"

namespace medmij::audit_cli {
namespace {

// A signed checkpoint is a few lines and signatures; anything much larger is not one.
constexpr size_t kMaxStateBytes = 64 * 1024;
// Evidence files for one size and second before SaveRefused gives up.
constexpr int kMaxEvidenceSuffix = 1000;

// 2026-12-03T11:45:00.000Z -> 20261203T114500Z: sortable, no ':' in a file name.
std::string CompactTime(Time t) {
  std::string out;
  for (char c : FormatTime(t).substr(0, 19)) {
    if (c != '-' && c != ':') out += c;
  }
  return out + "Z";
}

}  // namespace

Result<std::unique_ptr<CheckpointState>> CheckpointState::Open(const std::filesystem::path& path,
                                                               const note::Verifier& log) {
  std::unique_ptr<CheckpointState> state(new CheckpointState());
  MEDMIJ_ASSIGN_OR_RETURN(state->file_, LockedFile::Open(path, "state", kMaxStateBytes));
  if (!state->file_->content()) return state;
  auto saved = tlog::OpenCheckpoint(*state->file_->content(), log);
  if (!saved.ok()) {
    return Status::Invalid(state->file_->what() +
                           ": not a checkpoint of this log: " + saved.status().message());
  }
  state->saved_ = std::move(*saved);
  return state;
}

Status CheckpointState::Save(std::string_view signed_note) {
  return file_->Replace(signed_note);
}

Result<std::filesystem::path> CheckpointState::SaveRefused(std::string_view signed_note,
                                                           uint64_t size, Time now) {
  const std::string base = ".refused-" + std::to_string(size) + "-" + CompactTime(now);
  for (int n = 1; n <= kMaxEvidenceSuffix; ++n) {
    const std::string suffix = n == 1 ? base : base + "-" + std::to_string(n);
    Status s = file_->WriteBeside(suffix, signed_note);
    if (s.code() == Status::Code::kAlreadyExists) continue;
    if (!s.ok()) return s;
    std::filesystem::path written = file_->path();
    written += suffix;
    return written;
  }
  return Status::Exists(file_->path().string() + base + ": " + std::to_string(kMaxEvidenceSuffix) +
                        " evidence files exist already");
}

}  // namespace medmij::audit_cli
