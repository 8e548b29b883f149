#include "registry/store/journal.h"

#include "registry/common/sha256.h"
#include "registry/domain/json.h"
#include "registry/domain/json_object.h"
#include "registry/store/tables.h"

namespace medmij::store {

using nlohmann::json;

using Fields = json_object::Reader;

void to_json(json& j, const ListVersion& v) {
  j = json::object();
  j["list"] = v.list;
  j["volgnummer"] = v.volgnummer;
  j["tijdstempel"] = TimeToJson(v.tijdstempel, "tijdstempel");
  j["sha256"] = v.sha256;
  j["size"] = v.size;
  j["content_digest"] = v.content_digest;
}

void from_json(const json& j, ListVersion& v) {
  Fields f(j, {"list", "volgnummer", "tijdstempel", "sha256", "size", "content_digest"});
  f.Required("list", v.list);
  f.Required("volgnummer", v.volgnummer);
  f.Required("tijdstempel", v.tijdstempel);
  f.Required("sha256", v.sha256);
  f.Required("size", v.size);
  f.Required("content_digest", v.content_digest);
}

void to_json(json& j, const EventMeta& v) {
  j = json::object();
  j["at"] = TimeToJson(v.at, "at");
  j["operator"] = v.operator_name;
  j["command"] = v.command;
  j["subject"] = v.subject;
  j["reason"] = v.reason;
}

void from_json(const json& j, EventMeta& v) {
  Fields f(j, {"at", "operator", "command", "subject", "reason"});
  f.Required("at", v.at);
  f.Required("operator", v.operator_name);
  f.Required("command", v.command);
  f.Required("subject", v.subject);
  f.Required("reason", v.reason);
}

void to_json(json& j, const Change& v) {
  j = json::object();
  j["table"] = TableName(v.table);
  j["key"] = v.key;
  if (v.before) j["before"] = *v.before;
  if (v.after) j["after"] = *v.after;
}

void from_json(const json& j, Change& v) {
  Fields f(j, {"table", "key", "before", "after"});
  std::string table = f.Required<std::string>("table");
  auto t = ParseTableName(table);
  if (!t) throw JsonDecodeError("table", "unknown table '" + table + "'");
  v.table = *t;
  f.Required("key", v.key);
  v.before.reset();
  v.after.reset();
  if (const json* before = f.Find("before")) v.before = *before;
  if (const json* after = f.Find("after")) v.after = *after;
}

void to_json(json& j, const JournalEvent& v) {
  j = json::object();
  j["seq"] = v.seq;
  j["meta"] = v.meta;
  j["changes"] = v.changes;
  j["prev_hash"] = v.prev_hash;
}

void from_json(const json& j, JournalEvent& v) {
  Fields f(j, {"seq", "meta", "changes", "prev_hash"});
  f.Required("seq", v.seq);
  f.Required("meta", v.meta);
  f.Required("changes", v.changes);
  f.Required("prev_hash", v.prev_hash);
  v.hash.clear();
}

namespace journal {

std::string SeqKey(uint64_t seq) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[static_cast<size_t>(i)] = static_cast<char>(seq & 0xff);
    seq >>= 8;
  }
  return key;
}

std::optional<uint64_t> ParseSeqKey(std::string_view key) {
  if (key.size() != 8) return std::nullopt;
  uint64_t seq = 0;
  for (char c : key) seq = (seq << 8) | static_cast<unsigned char>(c);
  return seq;
}

std::string ChainHash(std::string_view prev_hash, std::string_view stored) {
  return Sha256Hex({prev_hash, stored});
}

std::string Seal(JournalEvent& ev) {
  std::string stored = json(ev).dump();
  ev.hash = ChainHash(ev.prev_hash, stored);
  return stored;
}

JournalEvent Decode(std::string_view stored) {
  JournalEvent ev = json::parse(stored).get<JournalEvent>();
  ev.hash = ChainHash(ev.prev_hash, stored);
  return ev;
}

std::optional<std::string> TryDecode(std::string_view stored, JournalEvent& ev) {
  try {
    ev = Decode(stored);
    return std::nullopt;
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
}

std::string KeyName(std::string_view key) {
  auto seq = ParseSeqKey(key);
  return seq ? std::to_string(*seq) : "with key '" + internal::Printable(key) + "'";
}

std::optional<std::string> UpgradeFromSchema1(std::string_view v1) {
  // Schema 1's rule, applied once more and for the last time: the stored bytes were the dump of
  // the event with its hash, and the hash covered the dump without it.
  json j;
  try {
    j = json::parse(v1);
  } catch (const json::exception&) {
    return std::nullopt;
  }
  if (!j.is_object() || j.dump() != v1) return std::nullopt;
  auto hash = j.find("hash");
  auto prev = j.find("prev_hash");
  if (hash == j.end() || !hash->is_string() || prev == j.end() || !prev->is_string()) {
    return std::nullopt;
  }
  const std::string expected = hash->get<std::string>();
  j.erase("hash");
  std::string v2 = j.dump();
  if (ChainHash(prev->get<std::string>(), v2) != expected) return std::nullopt;
  return v2;
}

}  // namespace journal
}  // namespace medmij::store
