#include "registry/domain/json_object.h"

#include <unordered_set>

#include "registry/common/text.h"

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

namespace {

// Follows the parser's events to find the first object that repeats a key and its path.
class DuplicateKeyFinder {
 public:
  bool OnEvent(json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        frames_.push_back(Frame{true, {}, {}, 0});
        break;
      case json::parse_event_t::array_start:
        frames_.push_back(Frame{false, {}, {}, 0});
        break;
      case json::parse_event_t::key:
        if (!frames_.empty() && parsed.is_string()) {
          Frame& top = frames_.back();
          top.key = parsed.get_ref<const std::string&>();
          if (!top.keys.insert(top.key).second && !found_) {
            found_ = true;
            path_ = PathOfTop();
            key_ = top.key;
          }
        }
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!frames_.empty()) frames_.pop_back();
        Advance();
        break;
      case json::parse_event_t::value:
        Advance();
        break;
    }
    return true;
  }

  bool found() const { return found_; }
  const std::string& path() const { return path_; }
  const std::string& key() const { return key_; }

 private:
  struct Frame {
    bool object;
    std::unordered_set<std::string> keys;
    std::string key;  // objects: the member being read
    size_t index;     // arrays: the element being read
  };

  // One element of the enclosing array is complete.
  void Advance() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
  }

  // The path of the innermost open container ("services[0].roles").
  std::string PathOfTop() const {
    std::string out;
    for (size_t i = 0; i + 1 < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (f.object) {
        if (!out.empty()) out += '.';
        out += EscapeForDisplay(f.key);
      } else {
        out += IndexPath(f.index);
      }
    }
    return out;
  }

  std::vector<Frame> frames_;
  bool found_ = false;
  std::string path_;
  std::string key_;
};

}  // namespace

json ParseText(std::string_view text) {
  DuplicateKeyFinder finder;
  json::parser_callback_t callback = [&finder](int, json::parse_event_t event, json& parsed) {
    return finder.OnEvent(event, parsed);
  };
  json j;
  try {
    j = json::parse(text, callback);
  } catch (const json::parse_error&) {
    Fail("not valid JSON");
  }
  if (finder.found()) {
    throw JsonDecodeError(finder.path(), "duplicate key '" + EscapeForDisplay(finder.key()) + "'");
  }
  return j;
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
