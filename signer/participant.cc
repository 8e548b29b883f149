#include "signer/participant.h"

#include <map>
#include <nlohmann/json.hpp>

#include "registry/common/locked_file.h"

namespace medmij::signer {

namespace fs = std::filesystem;
using json = nlohmann::json;

Succession ClassifySuccessor(const std::optional<AcceptedVersion>& last, const VerifiedList& next) {
  if (!last || next.volgnummer > last->volgnummer) return Succession::kNew;
  if (next.volgnummer < last->volgnummer) return Succession::kRollback;
  if (last->signed_content_sha256.empty()) return Succession::kNew;  // version-1 state: learn it
  if (next.signed_content_sha256 != last->signed_content_sha256) return Succession::kSubstitution;
  return Succession::kSame;
}

Result<bool> CheckSuccessor(const std::optional<AcceptedVersion>& last, const VerifiedList& next) {
  switch (ClassifySuccessor(last, next)) {
    case Succession::kNew:
      return true;
    case Succession::kSame:
      return false;
    case Succession::kRollback:
      return Status::Refused("rollback: Volgnummer " + std::to_string(next.volgnummer) +
                             " is lower than the last accepted " +
                             std::to_string(last->volgnummer));
    case Succession::kSubstitution:
      return Status::Refused("substitution: Volgnummer " + std::to_string(last->volgnummer) +
                             " was accepted before with other signed content (sha256 " +
                             last->signed_content_sha256 + ")");
  }
  return Status::Internal("unknown succession");
}

Status CheckStrict(std::string_view strict, std::string_view document, const VerifiedList& v) {
  const std::string_view before = document.substr(0, v.signature_begin);
  const std::string_view after = document.substr(v.signature_end);
  size_t i = 0;
  while (i < strict.size() && i < before.size() && strict[i] == before[i]) ++i;
  if (i == before.size()) {
    const std::string_view rest = strict.substr(i);
    size_t j = 0;
    while (j < rest.size() && j < after.size() && rest[j] == after[j]) ++j;
    if (j == after.size() && j == rest.size()) return Status::Ok();
    i += j;
  }
  return Status::Invalid(
      "the strict file is not the verified list without its signature: they "
      "differ from byte " +
      std::to_string(i) + " (strict file " + std::to_string(strict.size()) + " bytes, expected " +
      std::to_string(before.size() + after.size()) + ")");
}

namespace {

constexpr size_t kMaxStateBytes = size_t{1} << 20;

bool IsHexDigest(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

struct StateFile::Impl {
  std::unique_ptr<LockedFile> file;
  std::map<ListKind, AcceptedVersion> lists;
};

StateFile::StateFile() : impl_(std::make_unique<Impl>()) {}
StateFile::~StateFile() = default;

Result<std::unique_ptr<StateFile>> StateFile::Open(const fs::path& path) {
  std::unique_ptr<StateFile> state(new StateFile());
  Impl& s = *state->impl_;
  MEDMIJ_ASSIGN_OR_RETURN(s.file, LockedFile::Open(path, "state", kMaxStateBytes));
  if (!s.file->content()) return state;
  const std::string& what = s.file->what();

  const json j = json::parse(*s.file->content(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Invalid(what + ": not JSON");
  const auto not_state = [&](const std::string& why) {
    return Status::Invalid(what + ": not a medmij-verify state: " + why);
  };
  if (!j.is_object() || !j.contains("version") || !j["version"].is_number_unsigned()) {
    return not_state("no \"version\"");
  }
  const uint64_t version = j["version"].get<uint64_t>();
  if (version != 1 && version != 2) {
    return not_state("version " + std::to_string(version) + " is not known");
  }
  if (!j.contains("lists") || !j["lists"].is_object()) return not_state("no \"lists\" object");
  const char* digest_key = version == 1 ? "content_sha256" : "signed_content_sha256";
  for (const auto& [name, entry] : j["lists"].items()) {
    const std::optional<ListKind> kind = ParseListKind(name);
    if (!kind) return not_state("lists." + name + ": not a list");
    if (!entry.is_object() || !entry.contains("volgnummer") ||
        !entry["volgnummer"].is_number_unsigned() || !entry.contains(digest_key) ||
        !entry[digest_key].is_string() || !IsHexDigest(entry[digest_key].get<std::string>()) ||
        (entry.contains("tijdstempel") && !entry["tijdstempel"].is_string())) {
      return not_state("lists." + name + ": needs volgnummer and " + digest_key + " (hex)");
    }
    AcceptedVersion a;
    a.volgnummer = entry["volgnummer"].get<uint64_t>();
    if (version == 2) a.signed_content_sha256 = entry[digest_key].get<std::string>();
    a.tijdstempel = entry.value("tijdstempel", "");
    s.lists[*kind] = std::move(a);
  }
  return state;
}

std::optional<AcceptedVersion> StateFile::Last(ListKind list) const {
  auto it = impl_->lists.find(list);
  if (it == impl_->lists.end()) return std::nullopt;
  return it->second;
}

Result<bool> StateFile::Admit(const VerifiedList& v) {
  MEDMIJ_ASSIGN_OR_RETURN(bool record, CheckSuccessor(Last(v.list), v));
  if (record) impl_->lists[v.list] = {v.volgnummer, v.signed_content_sha256, v.tijdstempel};
  return record;
}

Status StateFile::Save() {
  json lists = json::object();
  for (const auto& [kind, a] : impl_->lists) {
    lists[std::string(ToString(kind))] = {{"volgnummer", a.volgnummer},
                                          {"signed_content_sha256", a.signed_content_sha256},
                                          {"tijdstempel", a.tijdstempel}};
  }
  return impl_->file->Replace(json{{"version", 2}, {"lists", lists}}.dump(2) + "\n");
}

Result<CheckedList> CheckList(const Verifier& verifier, std::string_view document, Time now,
                              const CheckOptions& options) {
  CheckedList out;
  MEDMIJ_ASSIGN_OR_RETURN(out.list, verifier.Verify(document, now, options.expected));
  if (options.strict) {
    MEDMIJ_RETURN_IF_ERROR(CheckStrict(*options.strict, document, out.list));
    out.strict_confirmed = true;
  }
  if (options.also) MEDMIJ_RETURN_IF_ERROR(options.also(out.list));
  if (options.state != nullptr) {
    MEDMIJ_ASSIGN_OR_RETURN(bool record, options.state->Admit(out.list));
    if (record) {
      MEDMIJ_RETURN_IF_ERROR(options.state->Save());
      out.state_updated = true;
    }
  }
  return out;
}

}  // namespace medmij::signer
