// The one strict reader of JSON objects: the domain codec (json.h), the journal's events
// (registry/store/journal.h) and `import` lines (registry/ops/import.h) all read through it, so
// they agree on what a well-formed object is:
//   - the value must be an object, and every member must be one the caller knows (a typo is an
//     error, never silently dropped): "<name>: unknown field";
//   - a required member must be present with a value of its type: "<name>: missing",
//     "<name>: expected a string, got number";
//   - an optional member may be absent or null (both mean "not given"); an array or object
//     member that may be absent is empty when absent or null;
//   - a failure inside a member names the whole path: "services[4].roles[0].code: missing".
//   - text from outside (ParseText) is one JSON value in which no object has the same key twice
//     (nlohmann's own parser silently keeps the last one): "services[0]: duplicate key 'code'".
// Failures throw JsonDecodeError (json.h); callers that want a Status catch it at their edge.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/domain/json.h"

namespace medmij::json_object {

[[noreturn]] void Fail(std::string problem);
[[noreturn]] void WrongType(const nlohmann::json& j, std::string_view expected);

// "[i]", the path of an array element. (Appended piece by piece: g++ 12 at -O2 reports a false
// -Wrestrict for "[" + std::to_string(i) + "]".)
std::string IndexPath(size_t i);

// Runs `decode` and re-throws any failure with `path` prepended ("name", "[3]"), so errors name
// the full path of the field at fault.
template <typename F>
void At(std::string_view path, F&& decode) {
  try {
    decode();
  } catch (const JsonDecodeError& e) {
    throw e.Within(path);
  }
}

// Decoding one value into a C++ value: strings, booleans, unsigned integers, Times (json.h's
// TimeFromJson), vectors and sets (arrays; a set refuses duplicates), string-keyed maps
// (objects), and any type with a from_json.
void DecodeValue(const nlohmann::json& j, std::string& out);
void DecodeValue(const nlohmann::json& j, bool& out);
void DecodeValue(const nlohmann::json& j, uint64_t& out);
void DecodeValue(const nlohmann::json& j, Time& out);

template <typename T>
void DecodeValue(const nlohmann::json& j, T& out) {
  from_json(j, out);
}

template <typename T>
void DecodeValue(const nlohmann::json& j, std::vector<T>& out) {
  if (!j.is_array()) WrongType(j, "an array");
  out.clear();
  out.reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    T v{};
    At(IndexPath(i), [&] { DecodeValue(j[i], v); });
    out.push_back(std::move(v));
  }
}

template <typename T>
void DecodeValue(const nlohmann::json& j, std::set<T>& out) {
  if (!j.is_array()) WrongType(j, "an array");
  out.clear();
  for (size_t i = 0; i < j.size(); ++i) {
    T v{};
    At(IndexPath(i), [&] { DecodeValue(j[i], v); });
    if (!out.insert(v).second) {
      throw JsonDecodeError(IndexPath(i), "duplicate value " + j[i].dump());
    }
  }
}

template <typename T>
void DecodeValue(const nlohmann::json& j, std::map<std::string, T>& out) {
  if (!j.is_object()) WrongType(j, "an object");
  out.clear();
  // No structured bindings captured by the lambdas here: clang 14 (the fuzz build) lacks them.
  for (const auto& item : j.items()) {
    const std::string& key = item.key();
    const nlohmann::json& value = item.value();
    T v{};
    At("[" + key + "]", [&] { DecodeValue(value, v); });
    out.emplace(key, std::move(v));
  }
}

// Parses `text` as one JSON value. Throws JsonDecodeError "not valid JSON" or, for the first
// object that repeats a key, "<path>: duplicate key '<key>'" (the path of that object, none at
// the top level; the key escaped as EscapeForDisplay does).
nlohmann::json ParseText(std::string_view text);

// One JSON object with a fixed set of member names. Holds a reference to `j`: REQUIRES `j`
// outlives the reader.
class Reader {
 public:
  // Refuses anything but an object whose members are all in `known`.
  Reader(const nlohmann::json& j, std::initializer_list<std::string_view> known);

  // The member's value; nullptr when it is absent or null.
  const nlohmann::json* Find(std::string_view name) const;

  // A member that must be present (null is a wrong type, not absence).
  template <typename T>
  void Required(std::string_view name, T& out) const {
    const nlohmann::json& v = Member(name);
    At(name, [&] { DecodeValue(v, out); });
  }
  template <typename T>
  T Required(std::string_view name) const {
    T out{};
    Required(name, out);
    return out;
  }

  // A member that may be absent or null: `out` is reset then.
  template <typename T>
  void Optional(std::string_view name, std::optional<T>& out) const {
    const nlohmann::json* v = Find(name);
    if (v == nullptr) {
      out.reset();
      return;
    }
    T value{};
    At(name, [&] { DecodeValue(*v, value); });
    out = std::move(value);
  }
  // The same with a default for absence.
  template <typename T>
  T OptionalOr(std::string_view name, T fallback) const {
    std::optional<T> v;
    Optional(name, v);
    return v ? std::move(*v) : std::move(fallback);
  }

  // An array or object member: absent or null means empty.
  template <typename T>
  void Container(std::string_view name, T& out) const {
    const nlohmann::json* v = Find(name);
    if (v == nullptr) {
      out = T{};
      return;
    }
    At(name, [&] { DecodeValue(*v, out); });
  }

  const nlohmann::json& raw() const { return j_; }

 private:
  // The member's value, present (null included); throws "<name>: missing" otherwise.
  const nlohmann::json& Member(std::string_view name) const;

  const nlohmann::json& j_;
};

}  // namespace medmij::json_object
