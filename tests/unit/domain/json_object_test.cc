// The one strict JSON object reader shared by the domain codec, the journal and import.
#include "registry/domain/json_object.h"

#include <gtest/gtest.h>

namespace medmij::json_object {
namespace {

using nlohmann::json;

std::string Error(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const JsonDecodeError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(JsonObjectParseText, RefusesARepeatedKeyNamingItAndItsPath) {
  EXPECT_EQ(Error([] { ParseText(R"({"kvk": "1", "name": "a", "kvk": "2"})"); }),
            "duplicate key 'kvk'");
  EXPECT_EQ(
      Error([] {
        ParseText(R"({"services": [{"roles": []}, {"roles": [{"code": "a", "code": "b"}]}]})");
      }),
      "services[1].roles[0]: duplicate key 'code'");
  EXPECT_EQ(Error([] { ParseText(R"([1, [2, 3], {"a": {}, "b": {"x": 1, "x": 2}}])"); }),
            "[2].b: duplicate key 'x'");
  // The first repetition is reported; the key is escaped for the error line.
  EXPECT_EQ(Error([] { ParseText("{\"a\\u000a\": 1, \"a\\n\": 2, \"b\": 1, \"b\": 2}"); }),
            "duplicate key 'a\\n'");
  // The same key in different objects, and in an object inside a value of that key, is fine.
  json j = ParseText(R"({"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]})");
  EXPECT_EQ(j["b"][1]["a"], 2);
  EXPECT_EQ(Error([] { ParseText("{not json"); }), "not valid JSON");
  EXPECT_EQ(Error([] { ParseText(R"({"a": 1} x)"); }), "not valid JSON");
  EXPECT_EQ(ParseText("7"), json(7));
}

TEST(JsonObjectReader, RefusesNonObjectsAndUnknownMembers) {
  EXPECT_EQ(Error([] { Reader r(json::array(), {"a"}); }), "expected an object, got array");
  EXPECT_EQ(Error([] { Reader r(json{{"a", 1}, {"colour", 2}}, {"a"}); }), "colour: unknown field");
  EXPECT_EQ(Error([] { Reader r(json{{"a", 1}}, {"a", "b"}); }), "(no error)");
}

TEST(JsonObjectReader, RequiredMembersMustBePresentWithTheirType) {
  json j = json::parse(R"({"name": "x", "count": 3, "flag": true, "null": null, "neg": -1})");
  Reader r(j, {"name", "count", "flag", "null", "neg", "absent"});
  EXPECT_EQ(r.Required<std::string>("name"), "x");
  EXPECT_EQ(r.Required<uint64_t>("count"), 3u);
  EXPECT_TRUE(r.Required<bool>("flag"));
  EXPECT_EQ(Error([&] { r.Required<std::string>("absent"); }), "absent: missing");
  EXPECT_EQ(Error([&] { r.Required<std::string>("null"); }), "null: expected a string, got null");
  EXPECT_EQ(Error([&] { r.Required<std::string>("count"); }),
            "count: expected a string, got number");
  EXPECT_EQ(Error([&] { r.Required<uint64_t>("neg"); }),
            "neg: expected a non-negative integer, got number");
  EXPECT_EQ(Error([&] { r.Required<bool>("name"); }), "name: expected true or false, got string");
}

TEST(JsonObjectReader, OptionalMembersMayBeAbsentOrNull) {
  json j = {{"email", nullptr}, {"scope", "all"}, {"roles", nullptr}, {"bad", 1}};
  Reader r(j, {"email", "scope", "roles", "bad", "absent"});
  std::optional<std::string> v = "stale";
  r.Optional("email", v);
  EXPECT_FALSE(v);
  r.Optional("scope", v);
  EXPECT_EQ(v, "all");
  EXPECT_EQ(r.OptionalOr<std::string>("absent", "default"), "default");
  EXPECT_FALSE(r.Find("email"));
  EXPECT_TRUE(r.Find("scope"));
  std::vector<std::string> roles{"stale"};
  r.Container("roles", roles);
  EXPECT_TRUE(roles.empty());
  r.Container("absent", roles);
  EXPECT_TRUE(roles.empty());
  EXPECT_EQ(Error([&] { r.OptionalOr<std::string>("bad", ""); }),
            "bad: expected a string, got number");
}

TEST(JsonObjectReader, ContainersNameThePathOfTheBadElement) {
  json j = {{"list", {"a", 2}}, {"set", {"x", "x"}}, {"map", {{"agb", 1}}}};
  Reader r(j, {"list", "set", "map"});
  std::vector<std::string> list;
  EXPECT_EQ(Error([&] { r.Container("list", list); }), "list[1]: expected a string, got number");
  std::set<std::string> set;
  EXPECT_EQ(Error([&] { r.Container("set", set); }), "set[1]: duplicate value \"x\"");
  std::map<std::string, std::string> map;
  EXPECT_EQ(Error([&] { r.Container("map", map); }), "map[agb]: expected a string, got number");
  EXPECT_EQ(Error([&] {
              At("services",
                 [&] { At("[2]", [&] { Reader(json::object(), {}).Required<bool>("x"); }); });
            }),
            "services[2].x: missing");
}

// Found by tests/fuzz/json_fuzz.cc: a NUL in a field name cut the message to nothing (what()
// is copied as a C string), a line break in a name or value forged a line.
TEST(JsonObjectReader, ErrorsAreOnePrintableLineWhateverTheNames) {
  EXPECT_EQ(Error([] { Reader r(json::parse(R"({"\u0000code": 1})"), {"code"}); }),
            "\\x00code: unknown field");
  EXPECT_EQ(Error([] {
              Reader r(json{{"a\nline 2: forged", 1}}, {"a"});
            }),
            "a\\nline 2: forged: unknown field");
  json j = {{"map", {{"k\r\n", 1}}}};
  Reader r(j, {"map"});
  std::map<std::string, std::string> map;
  EXPECT_EQ(Error([&] { r.Container("map", map); }), "map[k\\r\\n]: expected a string, got number");
  JsonDecodeError e("a\nb", "c");
  EXPECT_EQ(e.path(), "a\nb");  // the parts stay as they were
  EXPECT_STREQ(e.Within("x").what(), "x.a\\nb: c");
}

TEST(JsonObjectReader, TimesAreIso8601) {
  json j = {{"at", "2026-11-22T10:00:00Z"}, {"bad", "2026-13-01"}};
  Reader r(j, {"at", "bad"});
  EXPECT_EQ(FormatTime(r.Required<Time>("at")), "2026-11-22T10:00:00.000Z");
  EXPECT_NE(Error([&] { r.Required<Time>("bad"); }).find("bad: '2026-13-01'"), std::string::npos);
}

}  // namespace
}  // namespace medmij::json_object
