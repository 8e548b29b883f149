#include "registry/store/journal.h"

#include "registry/common/sha256.h"

#include <array>
#include <initializer_list>
#include <memory>
#include <stdexcept>

#include "registry/domain/json.h"

namespace medmij::store {

using nlohmann::json;

namespace {

[[noreturn]] void Fail(std::string path, std::string problem) {
  throw JsonDecodeError(std::move(path), std::move(problem));
}

void RequireObject(const json& j, std::initializer_list<const char*> names) {
  if (!j.is_object()) Fail("", std::string("expected an object, got ") + j.type_name());
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* n : names) known = known || key == n;
    if (!known) Fail(key, "unknown field");
  }
}

const json& Member(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) Fail(name, "missing");
  return *it;
}

std::string String(const json& j, const char* name) {
  const json& v = Member(j, name);
  if (!v.is_string()) Fail(name, std::string("expected a string, got ") + v.type_name());
  return v.get<std::string>();
}

uint64_t Unsigned(const json& j, const char* name) {
  const json& v = Member(j, name);
  if (!v.is_number_unsigned()) {
    Fail(name, std::string("expected a non-negative integer, got ") + v.type_name());
  }
  return v.get<uint64_t>();
}

Time TimeField(const json& j, const char* name) {
  auto t = TimeFromJson(Member(j, name), name);
  if (!t.ok()) Fail("", t.status().message());
  return *t;
}

}  // namespace

void to_json(json& j, const ListVersion& v) {
  j = json::object();
  j["list"] = v.list;
  j["volgnummer"] = v.volgnummer;
  j["tijdstempel"] = TimeToJson(v.tijdstempel);
  j["sha256"] = v.sha256;
  j["size"] = v.size;
  j["content_digest"] = v.content_digest;
}

void from_json(const json& j, ListVersion& v) {
  RequireObject(j, {"list", "volgnummer", "tijdstempel", "sha256", "size", "content_digest"});
  try {
    from_json(Member(j, "list"), v.list);
  } catch (const JsonDecodeError& e) {
    throw e.Within("list");
  }
  v.volgnummer = Unsigned(j, "volgnummer");
  v.tijdstempel = TimeField(j, "tijdstempel");
  v.sha256 = String(j, "sha256");
  v.size = Unsigned(j, "size");
  v.content_digest = String(j, "content_digest");
}

void to_json(json& j, const EventMeta& v) {
  j = json::object();
  j["at"] = TimeToJson(v.at);
  j["operator"] = v.operator_name;
  j["command"] = v.command;
  j["subject"] = v.subject;
  j["reason"] = v.reason;
}

void from_json(const json& j, EventMeta& v) {
  RequireObject(j, {"at", "operator", "command", "subject", "reason"});
  v.at = TimeField(j, "at");
  v.operator_name = String(j, "operator");
  v.command = String(j, "command");
  v.subject = String(j, "subject");
  v.reason = String(j, "reason");
}

void to_json(json& j, const Change& v) {
  j = json::object();
  j["table"] = TableName(v.table);
  j["key"] = v.key;
  if (v.before) j["before"] = *v.before;
  if (v.after) j["after"] = *v.after;
}

void from_json(const json& j, Change& v) {
  RequireObject(j, {"table", "key", "before", "after"});
  std::string table = String(j, "table");
  auto t = ParseTableName(table);
  if (!t) Fail("table", "unknown table '" + table + "'");
  v.table = *t;
  v.key = String(j, "key");
  v.before.reset();
  v.after.reset();
  if (auto it = j.find("before"); it != j.end()) v.before = *it;
  if (auto it = j.find("after"); it != j.end()) v.after = *it;
}

void to_json(json& j, const JournalEvent& v) {
  j = json::object();
  j["seq"] = v.seq;
  j["meta"] = v.meta;
  j["changes"] = v.changes;
  j["prev_hash"] = v.prev_hash;
  j["hash"] = v.hash;
}

void from_json(const json& j, JournalEvent& v) {
  RequireObject(j, {"seq", "meta", "changes", "prev_hash", "hash"});
  v.seq = Unsigned(j, "seq");
  try {
    from_json(Member(j, "meta"), v.meta);
  } catch (const JsonDecodeError& e) {
    throw e.Within("meta");
  }
  const json& changes = Member(j, "changes");
  if (!changes.is_array())
    Fail("changes", std::string("expected an array, got ") + changes.type_name());
  v.changes.clear();
  v.changes.reserve(changes.size());
  for (size_t i = 0; i < changes.size(); ++i) {
    Change c;
    try {
      from_json(changes[i], c);
    } catch (const JsonDecodeError& e) {
      throw e.Within("changes[" + std::to_string(i) + "]");
    }
    v.changes.push_back(std::move(c));
  }
  v.prev_hash = String(j, "prev_hash");
  v.hash = String(j, "hash");
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

std::string ChainHash(std::string_view prev_hash, std::string_view body) {
  return Sha256Hex({prev_hash, body});
}

std::string EncodeBody(const JournalEvent& ev) {
  json j = ev;
  j.erase("hash");
  return j.dump();
}

std::string Seal(JournalEvent& ev) {
  json j = ev;
  j.erase("hash");
  ev.hash = ChainHash(ev.prev_hash, j.dump());
  j["hash"] = ev.hash;
  return j.dump();
}

JournalEvent Decode(std::string_view stored) {
  return json::parse(stored).get<JournalEvent>();
}

}  // namespace journal
}  // namespace medmij::store
