#include "fetch/fetch_state.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/process.h"

namespace medmij::fetch {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const std::string kDigest(64, 'b');

TEST(FetchStateTest, RecordsRoundTrip) {
  testing::TempDir dir;
  const fs::path p = dir / "state.json";
  ListRecord r;
  r.installed = signer::AcceptedVersion{42, kDigest, "2026-11-22T10:00:00Z"};
  r.url = "https://r.example/signed/MedMij_Whitelist.xml";
  r.etag = "\"abc\"";
  r.last_confirmed = *ParseTime("2026-11-22T10:05:00.123Z", "t");
  r.last_change = *ParseTime("2026-11-22T10:00:01Z", "t");
  r.failures[Reason::kTimeout] = 2;
  {
    auto s = FetchState::Open(p);
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_FALSE((*s)->Get(ListKind::kWhitelist).installed);
    (*s)->Put(ListKind::kWhitelist, r);
    ListRecord never;
    never.failures[Reason::kConnect] = 1;
    (*s)->Put(ListKind::kOAuthClientList, never);
    ASSERT_TRUE((*s)->Save().ok());
  }
  const json j = json::parse(testing::ReadBytes(p));
  EXPECT_EQ(j["format"], "medmij-fetch-state");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["lists"]["whitelist"]["volgnummer"], 42);
  EXPECT_EQ(j["lists"]["whitelist"]["etag"], "\"abc\"");
  EXPECT_EQ(j["lists"]["whitelist"]["last_confirmed"], "2026-11-22T10:05:00.123Z");
  EXPECT_EQ(j["lists"]["whitelist"]["failures"]["timeout"], 2);
  EXPECT_FALSE(j["lists"]["oauthclientlist"].contains("volgnummer"));
  auto again = FetchState::Open(p);
  ASSERT_TRUE(again.ok()) << again.status().message();
  const ListRecord back = (*again)->Get(ListKind::kWhitelist);
  ASSERT_TRUE(back.installed);
  EXPECT_EQ(back.installed->volgnummer, 42u);
  EXPECT_EQ(back.installed->signed_content_sha256, kDigest);
  EXPECT_EQ(back.installed->tijdstempel, "2026-11-22T10:00:00Z");
  EXPECT_EQ(back.url, r.url);
  EXPECT_EQ(back.etag, r.etag);
  EXPECT_EQ(back.last_confirmed, r.last_confirmed);
  EXPECT_EQ(back.last_change, r.last_change);
  EXPECT_EQ(back.failures, r.failures);
  EXPECT_EQ((*again)->Get(ListKind::kOAuthClientList).failures.at(Reason::kConnect), 1u);
  EXPECT_EQ((*again)->Serialize(), testing::ReadBytes(p));
}

TEST(FetchStateTest, ACorruptFileIsNamedNeverReset) {
  testing::TempDir dir;
  const fs::path p = dir / "state.json";
  const std::string head = R"({"format":"medmij-fetch-state","version":1,"lists":)";
  const std::string ok_entry =
      R"("volgnummer":3,"signed_content_sha256":")" + kDigest + R"(","tijdstempel":"t")";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not JSON"},
      {"{", "not JSON"},
      {"[]", "expected an object"},
      {R"({"format":"medmij-verify","version":1,"lists":{}})",
       "format: must be \"medmij-fetch-state\""},
      {R"({"format":"medmij-fetch-state","version":2,"lists":{}})", "version: 2 is not known"},
      {R"({"format":"medmij-fetch-state","version":1})", "lists: missing"},
      {R"({"format":"medmij-fetch-state","version":1,"lists":{},"extra":1})",
       "extra: unknown field"},
      {head + R"({"blacklist":{}}})", "lists.blacklist: not a list"},
      {head + R"({"whitelist":{"volgnummer":"3"}}})", "lists.whitelist.volgnummer"},
      {head + R"({"whitelist":{"volgnummer":3,"signed_content_sha256":"xyz"}}})",
       "lists.whitelist.signed_content_sha256"},
      {head + R"({"whitelist":{)" + ok_entry + R"(,"last_confirmed":"yesterday"}}})",
       "lists.whitelist.last_confirmed"},
      {head + R"({"whitelist":{)" + ok_entry + R"(,"etag":7}}})", "lists.whitelist.etag"},
      {head + R"({"whitelist":{"etag":"\"x\""}}})", "lists.whitelist.etag: without volgnummer"},
      {head + R"({"whitelist":{)" + ok_entry + R"(,"failures":{"io":-1}}}})",
       "lists.whitelist.failures[io]"},
      {head + R"({"whitelist":{)" + ok_entry + R"(,"failures":{"gremlins":1}}}})",
       "lists.whitelist.failures.gremlins: not a reason"},
      {head + R"({"whitelist":{)" + ok_entry + R"(,"colour":"red"}}})",
       "lists.whitelist.colour: unknown field"},
  };
  for (const auto& [text, reason] : cases) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    auto s = FetchState::Open(p);
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(
        s.status().message().rfind("state file " + p.string() + ": not a medmij-fetch state: ", 0),
        0u)
        << s.status().message();
    EXPECT_NE(s.status().message().find(reason), std::string::npos)
        << text << " -> " << s.status().message();
    EXPECT_EQ(testing::ReadBytes(p), text);
  }
}

}  // namespace
}  // namespace medmij::fetch
