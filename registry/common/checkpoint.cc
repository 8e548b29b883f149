#include "registry/common/checkpoint.h"

#include "registry/common/base64.h"
#include "registry/common/decimal.h"

namespace medmij::checkpoint {

std::string Format(const Checkpoint& c) {
  std::string out =
      c.origin + "\n" + std::to_string(c.size) + "\n" +
      Base64Encode(std::string_view(reinterpret_cast<const char*>(c.root.data()), c.root.size())) +
      "\n";
  for (const std::string& e : c.extensions) out += e + "\n";
  return out;
}

Result<Checkpoint> Parse(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    if (eol == std::string_view::npos) {
      return Status::Invalid("checkpoint: line " + std::to_string(lines.size() + 1) +
                             " does not end in a newline");
    }
    lines.push_back(text.substr(0, eol));
    text.remove_prefix(eol + 1);
  }
  if (lines.size() < 3) return Status::Invalid("checkpoint: fewer than three lines");
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return Status::Invalid("checkpoint: line " + std::to_string(i + 1) + " is empty");
    }
  }
  Checkpoint c;
  c.origin = std::string(lines[0]);
  auto size = ParseDecimal(lines[1]);
  if (!size) {
    return Status::Invalid(
        "checkpoint: tree size is not a decimal number without leading zeros (below 2^64)");
  }
  c.size = *size;
  auto root = Base64Decode(lines[2]);
  if (!root || root->size() != c.root.size()) {
    return Status::Invalid("checkpoint: root hash is not a base64 SHA-256 hash");
  }
  std::copy(root->begin(), root->end(), c.root.begin());
  for (size_t i = 3; i < lines.size(); ++i) c.extensions.emplace_back(lines[i]);
  return c;
}

}  // namespace medmij::checkpoint
