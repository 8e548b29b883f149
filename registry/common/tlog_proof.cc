#include "registry/common/tlog_proof.h"

#include <algorithm>

#include "registry/common/base64.h"
#include "registry/common/decimal.h"

namespace medmij::tlog_proof {
namespace {

std::string_view HashBytes(const merkle::Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

Status LineError(size_t line, const std::string& what) {
  return Status::Invalid("tlog-proof: line " + std::to_string(line) + ": " + what);
}

}  // namespace

std::string Format(const Proof& proof) {
  std::string out(kHeader);
  out += '\n';
  if (proof.extra) out += "extra " + Base64Encode(*proof.extra) + "\n";
  out += "index " + std::to_string(proof.index) + "\n";
  for (const merkle::Hash& h : proof.hashes) out += Base64Encode(HashBytes(h)) + "\n";
  out += '\n';
  out += proof.checkpoint;
  return out;
}

Result<Proof> Parse(std::string_view text) {
  Proof proof;
  size_t line_no = 0;
  // The next line without its newline; nullopt at the end or for a last line without one.
  auto next_line = [&]() -> std::optional<std::string_view> {
    const size_t eol = text.find('\n');
    if (eol == std::string_view::npos) return std::nullopt;
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    ++line_no;
    return line;
  };
  auto line = next_line();
  if (!line || *line != kHeader) {
    return LineError(1, "expected \"" + std::string(kHeader) + "\"");
  }
  line = next_line();
  constexpr std::string_view kExtra = "extra ", kIndex = "index ";
  if (line && line->substr(0, kExtra.size()) == kExtra) {
    auto extra = Base64Decode(line->substr(kExtra.size()));
    if (!extra) return LineError(line_no, "extra data is not canonical base64");
    proof.extra = std::move(*extra);
    line = next_line();
  }
  if (!line || line->substr(0, kIndex.size()) != kIndex) {
    return LineError(line_no + (line ? 0 : 1), "expected \"index <n>\"");
  }
  auto index = ParseDecimal(line->substr(kIndex.size()));
  if (!index) return LineError(line_no, "index is not a decimal number without leading zeros");
  proof.index = *index;
  while (true) {
    line = next_line();
    if (!line) return LineError(line_no + 1, "missing the empty line before the checkpoint");
    if (line->empty()) break;
    auto hash = Base64Decode(*line);
    if (!hash || hash->size() != sizeof(merkle::Hash)) {
      return LineError(line_no, "not a base64 SHA-256 hash");
    }
    if (proof.hashes.size() == 64) return LineError(line_no, "more than 64 proof hashes");
    merkle::Hash h;
    std::copy(hash->begin(), hash->end(), h.begin());
    proof.hashes.push_back(h);
  }
  if (text.empty() || text.back() != '\n') {
    return LineError(line_no + 1, "the checkpoint is missing or does not end in a newline");
  }
  proof.checkpoint = std::string(text);
  return proof;
}

}  // namespace medmij::tlog_proof
