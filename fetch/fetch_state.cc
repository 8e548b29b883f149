#include "fetch/fetch_state.h"

#include <nlohmann/json.hpp>

#include "registry/domain/json.h"
#include "registry/domain/json_object.h"

namespace medmij::fetch {

namespace {

using json = nlohmann::json;

constexpr size_t kMaxStateBytes = size_t{1} << 20;
constexpr const char kFormat[] = "medmij-fetch-state";
constexpr uint64_t kVersion = 1;

bool IsHexDigest(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// One list's record, through the one strict object reader: unknown fields, wrong types and
// inconsistent fields throw JsonDecodeError naming the field.
ListRecord ReadRecord(const json& j) {
  const json_object::Reader r(j, {"volgnummer", "signed_content_sha256", "tijdstempel", "url",
                                  "etag", "last_confirmed", "last_change", "failures"});
  ListRecord out;
  if (r.Find("volgnummer") != nullptr || r.Find("signed_content_sha256") != nullptr) {
    signer::AcceptedVersion a;
    a.volgnummer = r.Required<uint64_t>("volgnummer");
    a.signed_content_sha256 = r.Required<std::string>("signed_content_sha256");
    if (!IsHexDigest(a.signed_content_sha256)) {
      throw JsonDecodeError("signed_content_sha256", "needs 64 lowercase hex digits");
    }
    a.tijdstempel = r.OptionalOr<std::string>("tijdstempel", "");
    out.installed = std::move(a);
  }
  out.url = r.OptionalOr<std::string>("url", "");
  out.etag = r.OptionalOr<std::string>("etag", "");
  r.Optional("last_confirmed", out.last_confirmed);
  r.Optional("last_change", out.last_change);
  if (!out.installed) {
    for (const char* field : {"tijdstempel", "etag", "last_confirmed", "last_change"}) {
      if (r.Find(field) != nullptr) throw JsonDecodeError(field, "without volgnummer");
    }
  }
  std::map<std::string, uint64_t> failures;
  r.Container("failures", failures);
  for (const auto& [name, count] : failures) {
    const std::optional<Reason> reason = ParseReason(name);
    if (!reason) throw JsonDecodeError("failures." + name, "not a reason");
    out.failures[*reason] = count;
  }
  return out;
}

}  // namespace

FetchState::~FetchState() = default;

Result<std::unique_ptr<FetchState>> FetchState::Open(const std::filesystem::path& path) {
  std::unique_ptr<FetchState> state(new FetchState());
  MEDMIJ_ASSIGN_OR_RETURN(state->file_, LockedFile::Open(path, "state", kMaxStateBytes));
  if (!state->file_->content()) return state;
  const std::string& what = state->file_->what();
  const auto not_state = [&](const std::string& why) {
    return Status::Invalid(what + ": not a medmij-fetch state: " + why);
  };
  const json j = json::parse(*state->file_->content(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return not_state("not JSON");
  try {
    const json_object::Reader top(j, {"format", "version", "lists"});
    if (top.Required<std::string>("format") != kFormat) {
      throw JsonDecodeError("format", std::string("must be \"") + kFormat + "\"");
    }
    const uint64_t version = top.Required<uint64_t>("version");
    if (version != kVersion) {
      throw JsonDecodeError("version", std::to_string(version) +
                                           " is not known (this medmij-fetch reads version " +
                                           std::to_string(kVersion) + ")");
    }
    json_object::At("lists", [&] {
      const json* lists = top.Find("lists");
      if (lists == nullptr) throw JsonDecodeError("", "missing");
      if (!lists->is_object()) json_object::WrongType(*lists, "an object");
      for (const auto& item : lists->items()) {
        const std::optional<ListKind> kind = ParseListKind(item.key());
        if (!kind) throw JsonDecodeError(item.key(), "not a list");
        const json& entry = item.value();
        json_object::At(item.key(), [&] { state->lists_[*kind] = ReadRecord(entry); });
      }
    });
  } catch (const JsonDecodeError& e) {
    return not_state(e.what());
  }
  return state;
}

ListRecord FetchState::Get(ListKind list) const {
  auto it = lists_.find(list);
  return it == lists_.end() ? ListRecord{} : it->second;
}

void FetchState::Put(ListKind list, ListRecord record) {
  lists_[list] = std::move(record);
}

std::string FetchState::Serialize() const {
  json lists = json::object();
  for (const auto& [kind, r] : lists_) {
    json e = json::object();
    if (r.installed) {
      e["volgnummer"] = r.installed->volgnummer;
      e["signed_content_sha256"] = r.installed->signed_content_sha256;
      e["tijdstempel"] = r.installed->tijdstempel;
    }
    if (!r.url.empty()) e["url"] = r.url;
    if (!r.etag.empty()) e["etag"] = r.etag;
    if (r.last_confirmed) e["last_confirmed"] = FormatTime(*r.last_confirmed);
    if (r.last_change) e["last_change"] = FormatTime(*r.last_change);
    json failures = json::object();
    for (const auto& [reason, count] : r.failures) {
      if (count > 0) failures[std::string(ToString(reason))] = count;
    }
    if (!failures.empty()) e["failures"] = failures;
    lists[std::string(ToString(kind))] = e;
  }
  return json{{"format", kFormat}, {"version", kVersion}, {"lists", lists}}.dump(2) + "\n";
}

Status FetchState::Save() {
  return file_->Replace(Serialize());
}

}  // namespace medmij::fetch
