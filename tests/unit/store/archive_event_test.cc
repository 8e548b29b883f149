// store::ArchivedListVersion: the event a list's log proof carries must archive exactly that
// list kind and Volgnummer, with its bytes; anything else is refused naming what differs.
#include "registry/store/archive_event.h"

#include <gtest/gtest.h>

#include "registry/store/journal.h"

namespace medmij::store {
namespace {

ListVersion Version() {
  ListVersion v;
  v.list = ListKind::kWhitelist;
  v.volgnummer = 42;
  v.tijdstempel = ParseTime("2026-12-01T10:00:00Z", "tijdstempel").value();
  v.sha256 = std::string(64, 'a');
  v.size = 1234;
  v.content_digest = std::string(64, 'b');
  return v;
}

std::string Event(const ListVersion& v, const std::string& key, nlohmann::json bytes) {
  JournalEvent ev;
  ev.seq = 7;
  ev.meta = {v.tijdstempel, "service", "publish", "list:whitelist", "content changed"};
  ev.changes = {Change{Table::kListVersions, key, std::nullopt, nlohmann::json(v)},
                Change{Table::kListBytes, key, std::nullopt, std::move(bytes)}};
  ev.prev_hash = std::string(64, '0');
  return journal::Seal(ev);
}

const std::string kKey = "whitelist/00000000000000000042";
const nlohmann::json kBytes = {{"sha256", std::string(64, 'a')}, {"size", 1234}};

TEST(ArchiveEventTest, FindsTheArchivedVersion) {
  auto v = ArchivedListVersion(Event(Version(), kKey, kBytes), ListKind::kWhitelist, 42);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(*v, Version());
}

TEST(ArchiveEventTest, RefusesAnotherVersionListOrBytes) {
  const std::string event = Event(Version(), kKey, kBytes);
  EXPECT_NE(ArchivedListVersion(event, ListKind::kWhitelist, 41)
                .status()
                .message()
                .find("does not archive whitelist version 41"),
            std::string::npos);
  EXPECT_NE(ArchivedListVersion(event, ListKind::kOAuthClientList, 42)
                .status()
                .message()
                .find("does not archive"),
            std::string::npos);
  const nlohmann::json other_bytes = {{"sha256", std::string(64, 'c')}, {"size", 1234}};
  EXPECT_NE(ArchivedListVersion(Event(Version(), kKey, other_bytes), ListKind::kWhitelist, 42)
                .status()
                .message()
                .find("does not archive the bytes"),
            std::string::npos);
  EXPECT_NE(ArchivedListVersion("{", ListKind::kWhitelist, 42)
                .status()
                .message()
                .find("not a journal event"),
            std::string::npos);
}

}  // namespace
}  // namespace medmij::store
