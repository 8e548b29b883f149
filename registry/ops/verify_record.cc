#include "registry/ops/verify_record.h"

#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "registry/common/atomic_file.h"

namespace medmij::ops {

using nlohmann::json;

Status RecordVerify(const std::filesystem::path& data_dir, const VerifyRecord& r) {
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir, ec)) return Status::Ok();
  json doc{{"at", FormatTime(r.at)}, {"by", r.by},      {"command", r.command}, {"ok", r.ok},
           {"events", r.events},     {"error", r.error}};
  return WriteFileAtomically(data_dir / kVerifyRecordFile, doc.dump() + "\n",
                             AtomicWriteOptions{.mode = 0600});
}

std::optional<VerifyRecord> ReadVerifyRecord(const std::filesystem::path& data_dir) {
  std::ifstream in(data_dir / kVerifyRecordFile);
  if (!in) return std::nullopt;
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  try {
    auto at = ParseTime(j.at("at").get<std::string>(), "at");
    if (!at.ok()) return std::nullopt;
    VerifyRecord r;
    r.at = *at;
    r.by = j.at("by").get<std::string>();
    r.command = j.at("command").get<std::string>();
    r.ok = j.at("ok").get<bool>();
    r.events = j.at("events").get<uint64_t>();
    r.error = j.at("error").get<std::string>();
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace medmij::ops
