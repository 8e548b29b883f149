#include "audit/bundle.h"

#include <nlohmann/json.hpp>

#include "registry/common/base64.h"
#include "registry/common/checkpoint.h"

namespace medmij::audit {
namespace {

using nlohmann::json;

std::string HashB64(const merkle::Hash& h) {
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

Result<merkle::Hash> ParseHash(const json& j, const std::string& field) {
  if (!j.is_string()) return Status::Invalid(field + ": not a string");
  auto raw = Base64Decode(j.get<std::string>());
  merkle::Hash h{};
  if (!raw || raw->size() != h.size()) return Status::Invalid(field + ": not a base64 hash");
  std::copy(raw->begin(), raw->end(), h.begin());
  return h;
}

Result<std::string> Str(const json& o, const char* key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_string())
    return Status::Invalid(where + key + ": missing or not a string");
  return it->get<std::string>();
}

Result<uint64_t> Uint(const json& o, const char* key, const std::string& where) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number_unsigned())
    return Status::Invalid(where + key + ": missing or not a non-negative integer");
  return it->get<uint64_t>();
}

// The record before or after the change belongs to the participant: its "participant" field
// (nodes, OAuth clients, cases, requests...) or its "dva" field (providers) names it.
bool OwnedBy(const json& change, const char* side, std::string_view participant) {
  auto it = change.find(side);
  if (it == change.end() || !it->is_object()) return false;
  for (const char* field : {"participant", "dva"}) {
    auto p = it->find(field);
    if (p != it->end() && p->is_string() && p->get<std::string>() == participant) return true;
  }
  return false;
}

}  // namespace

std::string EncodeBundle(const Bundle& b) {
  json events = json::array();
  for (const auto& e : b.events) {
    json proof = json::array();
    for (const auto& h : e.proof) proof.push_back(HashB64(h));
    events.push_back({{"index", e.index}, {"event", Base64Encode(e.stored)}, {"proof", proof}});
  }
  json versions = json::array();
  for (const auto& v : b.list_versions)
    versions.push_back({{"list", v.list},
                        {"volgnummer", v.volgnummer},
                        {"tijdstempel", v.tijdstempel},
                        {"sha256", v.sha256},
                        {"change", v.change}});
  json j = {{"format", kBundleFormat},
            {"participant", b.participant},
            {"checkpoint", b.checkpoint_note},
            {"left_out", b.left_out},
            {"events", events},
            {"list_versions", versions}};
  return j.dump() + "\n";
}

Result<Bundle> ParseBundle(std::string_view bytes) {
  json j = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return Status::Invalid("bundle: not a JSON object (truncated or not a bundle)");
  MEDMIJ_ASSIGN_OR_RETURN(auto format, Str(j, "format", ""));
  if (format != kBundleFormat) return Status::Invalid("format: not " + std::string(kBundleFormat));
  Bundle b;
  MEDMIJ_ASSIGN_OR_RETURN(b.participant, Str(j, "participant", ""));
  MEDMIJ_ASSIGN_OR_RETURN(b.checkpoint_note, Str(j, "checkpoint", ""));
  MEDMIJ_ASSIGN_OR_RETURN(b.left_out, Uint(j, "left_out", ""));
  auto events = j.find("events");
  if (events == j.end() || !events->is_array())
    return Status::Invalid("events: missing or not an array");
  for (size_t i = 0; i < events->size(); ++i) {
    const json& e = (*events)[i];
    std::string where = "events[" + std::to_string(i) + "].";
    if (!e.is_object()) return Status::Invalid(where + ": not an object");
    BundleEvent be;
    MEDMIJ_ASSIGN_OR_RETURN(be.index, Uint(e, "index", where));
    MEDMIJ_ASSIGN_OR_RETURN(auto b64, Str(e, "event", where));
    auto stored = Base64Decode(b64);
    if (!stored) return Status::Invalid(where + "event: not base64");
    be.stored = std::move(*stored);
    auto proof = e.find("proof");
    if (proof == e.end() || !proof->is_array())
      return Status::Invalid(where + "proof: missing or not an array");
    for (size_t k = 0; k < proof->size(); ++k) {
      MEDMIJ_ASSIGN_OR_RETURN(auto h,
                              ParseHash((*proof)[k], where + "proof[" + std::to_string(k) + "]"));
      be.proof.push_back(h);
    }
    b.events.push_back(std::move(be));
  }
  auto versions = j.find("list_versions");
  if (versions == j.end() || !versions->is_array())
    return Status::Invalid("list_versions: missing or not an array");
  for (size_t i = 0; i < versions->size(); ++i) {
    const json& v = (*versions)[i];
    std::string where = "list_versions[" + std::to_string(i) + "].";
    if (!v.is_object()) return Status::Invalid(where + ": not an object");
    BundleListVersion lv;
    MEDMIJ_ASSIGN_OR_RETURN(lv.list, Str(v, "list", where));
    MEDMIJ_ASSIGN_OR_RETURN(lv.volgnummer, Uint(v, "volgnummer", where));
    MEDMIJ_ASSIGN_OR_RETURN(lv.tijdstempel, Str(v, "tijdstempel", where));
    MEDMIJ_ASSIGN_OR_RETURN(lv.sha256, Str(v, "sha256", where));
    MEDMIJ_ASSIGN_OR_RETURN(lv.change, Str(v, "change", where));
    if (lv.change != "entered" && lv.change != "left")
      return Status::Invalid(where + "change: not \"entered\" or \"left\"");
    b.list_versions.push_back(std::move(lv));
  }
  return b;
}

Result<bool> TouchesParticipant(std::string_view stored, std::string_view participant) {
  json e = json::parse(stored, nullptr, /*allow_exceptions=*/false);
  if (e.is_discarded() || !e.is_object() || !e.contains("meta") || !e["meta"].is_object())
    return Status::Invalid("not a journal event");
  const json& meta = e["meta"];
  // Commands about a participant name it as their subject "participant:<id>".
  auto subject = meta.find("subject");
  if (subject != meta.end() && subject->is_string() &&
      subject->get<std::string>() == std::string("participant:").append(participant))
    return true;
  auto changes = e.find("changes");
  if (changes == e.end() || !changes->is_array()) return false;
  for (const json& c : *changes) {
    if (!c.is_object()) continue;
    auto table = c.find("table");
    auto key = c.find("key");
    if (table != c.end() && key != c.end() && *table == "participants" && key->is_string() &&
        key->get<std::string>() == participant)
      return true;
    if (OwnedBy(c, "before", participant) || OwnedBy(c, "after", participant)) return true;
  }
  return false;
}

Result<Timeline> VerifyBundle(std::string_view bytes, const note::Verifier& verifier) {
  MEDMIJ_ASSIGN_OR_RETURN(Bundle b, ParseBundle(bytes));
  auto text = note::Open(b.checkpoint_note, verifier);
  if (!text.ok()) return Status::Invalid("checkpoint: " + text.status().message());
  auto cp = checkpoint::Parse(*text);
  if (!cp.ok()) return Status::Invalid("checkpoint: " + cp.status().message());
  Timeline t{b.participant, cp->origin, cp->size, b.left_out, {}, b.list_versions};
  for (size_t i = 0; i < b.events.size(); ++i) {
    const BundleEvent& e = b.events[i];
    std::string where = "events[" + std::to_string(i) + "] (index " + std::to_string(e.index) + ")";
    if (i > 0 && e.index <= b.events[i - 1].index)
      return Status::Invalid(where + ": index does not increase");
    if (e.index >= cp->size) return Status::Invalid(where + ": beyond the checkpoint's tree");
    if (!merkle::VerifyInclusion(e.index, cp->size, merkle::LeafHash(e.stored), e.proof, cp->root))
      return Status::Invalid(where + ": inclusion proof does not verify against the checkpoint");
    auto touches = TouchesParticipant(e.stored, b.participant);
    if (!touches.ok()) return Status::Invalid(where + ": " + touches.status().message());
    if (!*touches) return Status::Invalid(where + ": does not touch participant " + b.participant);
    json ev = json::parse(e.stored);
    if (!ev.contains("seq") || !ev["seq"].is_number_unsigned() ||
        ev["seq"].get<uint64_t>() != e.index + 1)
      return Status::Invalid(where + ": seq is not index + 1");
    const json& meta = ev["meta"];
    t.events.push_back(
        {e.index, meta.value("at", ""), meta.value("command", ""), meta.value("subject", "")});
  }
  return t;
}

std::string FormatTimeline(const Timeline& t) {
  std::string out = "participant " + t.participant + " under checkpoint " + t.origin + " size " +
                    std::to_string(t.tree_size) + "\n";
  for (const auto& e : t.events)
    out += e.at + "  " + e.command + "  " + e.subject + "  (seq " + std::to_string(e.index + 1) +
           ")\n";
  for (const auto& v : t.list_versions)
    out += v.change + " " + v.list + " volgnummer " + std::to_string(v.volgnummer) + " " +
           v.tijdstempel + " sha256 " + v.sha256 + "\n";
  out += std::to_string(t.left_out) + " journal events after the checkpoint left out\n";
  return out;
}

}  // namespace medmij::audit
