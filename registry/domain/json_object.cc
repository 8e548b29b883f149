#include "registry/domain/json_object.h"

namespace medmij::json_object {

using nlohmann::json;

void Fail(std::string problem) {
  throw JsonDecodeError("", std::move(problem));
}

void WrongType(const json& j, std::string_view expected) {
  Fail("expected " + std::string(expected) + ", got " + std::string(j.type_name()));
}

std::string IndexPath(size_t i) {
  std::string out;
  out.reserve(24);
  out += '[';
  out += std::to_string(i);
  out += ']';
  return out;
}

void DecodeValue(const json& j, std::string& out) {
  if (!j.is_string()) WrongType(j, "a string");
  out = j.get_ref<const std::string&>();
}

void DecodeValue(const json& j, bool& out) {
  if (!j.is_boolean()) WrongType(j, "true or false");
  out = j.get<bool>();
}

void DecodeValue(const json& j, uint64_t& out) {
  if (!j.is_number_unsigned()) WrongType(j, "a non-negative integer");
  out = j.get<uint64_t>();
}

void DecodeValue(const json& j, Time& out) {
  auto t = TimeFromJson(j, "");
  if (!t.ok()) Fail(t.status().message());
  out = *t;
}

Reader::Reader(const json& j, std::initializer_list<std::string_view> known) : j_(j) {
  if (!j.is_object()) WrongType(j, "an object");
  for (const auto& [key, value] : j.items()) {
    bool found = false;
    for (std::string_view n : known) found = found || key == n;
    if (!found) throw JsonDecodeError(key, "unknown field");
  }
}

const json* Reader::Find(std::string_view name) const {
  auto it = j_.find(name);
  if (it == j_.end() || it->is_null()) return nullptr;
  return &*it;
}

const json& Reader::Member(std::string_view name) const {
  auto it = j_.find(name);
  if (it == j_.end()) throw JsonDecodeError(std::string(name), "missing");
  return *it;
}

}  // namespace medmij::json_object
