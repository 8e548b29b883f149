#include "registry/common/tlog_verify.h"

#include <fstream>

#include "registry/common/merkle.h"
#include "registry/common/tlog_proof.h"

namespace medmij::tlog {

namespace {

constexpr size_t kMaxVerifierKeyBytes = 4096;

}  // namespace

Result<note::Verifier> ReadVerifierKeyFile(const std::filesystem::path& path) {
  const std::string what = "VKEY-FILE '" + path.string() + "'";
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid(what + ": cannot read");
  std::string text;
  text.resize(kMaxVerifierKeyBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Status::Invalid(what + ": cannot read");
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxVerifierKeyBytes) {
    return Status::Invalid(what + ": larger than " + std::to_string(kMaxVerifierKeyBytes) +
                           " bytes; it holds one verifier key");
  }
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.empty()) return Status::Invalid(what + ": empty; it holds one verifier key");
  if (text.find('\n') != std::string::npos) {
    return Status::Invalid(what + ": more than one line; it holds one verifier key");
  }
  auto verifier = note::Verifier::Parse(text);
  if (!verifier.ok()) return Status::Invalid(what + ": " + verifier.status().message());
  return verifier;
}

Result<checkpoint::Checkpoint> OpenCheckpoint(std::string_view signed_note,
                                              const note::Verifier& log) {
  auto text = note::Open(signed_note, log);
  if (!text.ok()) {
    return Status::Invalid("checkpoint: not signed by " + log.name() + ": " +
                           text.status().message());
  }
  MEDMIJ_ASSIGN_OR_RETURN(checkpoint::Checkpoint c, checkpoint::Parse(*text));
  if (c.origin != log.name()) {
    return Status::Invalid("checkpoint: origin '" + c.origin + "' is not the log key's name '" +
                           log.name() + "'");
  }
  return c;
}

Result<ProvenEntry> VerifyProof(std::string_view proof_file, const note::Verifier& log) {
  MEDMIJ_ASSIGN_OR_RETURN(tlog_proof::Proof proof, tlog_proof::Parse(proof_file));
  ProvenEntry out;
  MEDMIJ_ASSIGN_OR_RETURN(out.checkpoint, OpenCheckpoint(proof.checkpoint, log));
  if (!proof.extra) {
    return Status::Invalid("tlog-proof: no extra line: the proof does not carry the logged entry");
  }
  const uint64_t size = out.checkpoint.size;
  if (proof.index >= size) {
    return Status::Invalid("tlog-proof: index " + std::to_string(proof.index) +
                           " is not inside the checkpoint's tree of " + std::to_string(size) +
                           " entries");
  }
  if (!merkle::VerifyInclusion(proof.index, size, merkle::LeafHash(*proof.extra), proof.hashes,
                               out.checkpoint.root)) {
    return Status::Invalid(
        "tlog-proof: the inclusion proof does not lead from the entry at index " +
        std::to_string(proof.index) + " to the checkpoint's root (tree size " +
        std::to_string(size) + ")");
  }
  out.checkpoint_note = std::move(proof.checkpoint);
  out.index = proof.index;
  out.entry = std::move(*proof.extra);
  return out;
}

}  // namespace medmij::tlog
