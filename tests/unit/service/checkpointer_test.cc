// The transparency log's checkpoints on a real store: signed over the journal's tree, archived
// and continued after a reopen, never signed for a smaller tree, a forked journal or with a
// key that did not sign the archive.
#include "registry/service/checkpointer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "registry/ops/ops.h"
#include "tests/support/process.h"

namespace medmij::service {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<const note::Signer> LogSigner(char seed_byte,
                                              const std::string& origin = "registry.example/log") {
  auto s = note::Signer::FromSeed(origin, std::string(32, seed_byte));
  EXPECT_TRUE(s.ok()) << s.status().message();
  return std::make_shared<const note::Signer>(std::move(s).value());
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void Enrol(store::Store& store, const std::string& id, Time at) {
  auto w = std::move(store.BeginWrite()).value();
  ASSERT_TRUE(
      ops::Enrol(*w, ops::Actor{"alice", at}, {id, "Name " + id, "12345678", "", {"dvp"}}).ok());
  ASSERT_TRUE(w->Commit(store::EventMeta{at, "alice", "enrol", "participant:" + id, ""}).ok());
}

// A store whose journal is one enrolment per id, each at the same fixed instant: stores made
// from prefixes of one list of ids hold prefixes of one journal, byte for byte.
std::unique_ptr<store::Store> MakeStore(const fs::path& dir, const std::vector<std::string>& ids) {
  auto opened = store::Store::Open(dir);
  EXPECT_TRUE(opened.ok()) << opened.status().message();
  auto store = std::move(opened).value();
  const Time at = ParseTime("2026-11-20T10:00:00Z", "t").value();
  for (const std::string& id : ids) Enrol(*store, id, at);
  return store;
}

// The checkpoint in a signed note, after checking the signature with `signer`'s verifier.
checkpoint::Checkpoint Verified(const std::string& note, const note::Signer& signer) {
  auto text = note::Open(note, signer.verifier());
  EXPECT_TRUE(text.ok()) << text.status().message();
  auto c = checkpoint::Parse(text.ok() ? *text : "");
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? *c : checkpoint::Checkpoint{};
}

TEST(CheckpointerTest, SignsTheJournalsTreeArchivesItAndContinuesAfterAReopen) {
  testing::TempDir dir;
  auto signer = LogSigner('\x11');
  auto store = MakeStore(dir / "data", {"pgo-a", "pgo-b"});
  auto c = Checkpointer::Open(*store, signer, dir / "data");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ((*c)->Latest(), nullptr);

  auto first = (*c)->Update();
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_TRUE(*first);
  ASSERT_NE((*c)->Latest(), nullptr);
  checkpoint::Checkpoint cp = Verified(*(*c)->Latest(), *signer);
  EXPECT_EQ(cp.origin, "registry.example/log");
  EXPECT_EQ(cp.size, 2u);
  EXPECT_EQ(cp.root, *(*store->BeginRead())->TreeHash(2));
  EXPECT_EQ(Slurp(dir / "data" / "tlog-checkpoint"), *(*c)->Latest());
  // The tiles are served for the tree the note names.
  ASSERT_NE((*c)->LatestSigned(), nullptr);
  EXPECT_EQ((*c)->LatestSigned()->note, *(*c)->Latest());
  EXPECT_EQ((*c)->LatestSigned()->checkpoint, cp);

  // Nothing new: nothing signed.
  auto again = (*c)->Update();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);

  Enrol(*store, "pgo-c", ParseTime("2026-11-20T11:00:00Z", "t").value());
  auto grown = (*c)->Update();
  ASSERT_TRUE(grown.ok()) << grown.status().message();
  EXPECT_TRUE(*grown);
  EXPECT_EQ(Verified(*(*c)->Latest(), *signer).size, 3u);

  // A new Checkpointer (a restart) starts from the archived checkpoint.
  auto reopened = Checkpointer::Open(*store, signer, dir / "data");
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  ASSERT_NE((*reopened)->Latest(), nullptr);
  EXPECT_EQ(*(*reopened)->Latest(), *(*c)->Latest());
  EXPECT_FALSE(*(*reopened)->Update());
}

TEST(CheckpointerTest, ARolledBackJournalIsNotSigned) {
  testing::TempDir dir;
  auto signer = LogSigner('\x11');
  {
    auto longer = MakeStore(dir / "long", {"pgo-a", "pgo-b", "pgo-c"});
    auto c = Checkpointer::Open(*longer, signer, dir / "long");
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->Update().ok());
  }
  // The same journal without its last event, with the longer one's checkpoint archived.
  auto shorter = MakeStore(dir / "short", {"pgo-a", "pgo-b"});
  fs::copy_file(dir / "long" / "tlog-checkpoint", dir / "short" / "tlog-checkpoint");
  const std::string archived = Slurp(dir / "short" / "tlog-checkpoint");
  auto c = Checkpointer::Open(*shorter, signer, dir / "short");
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto refused = (*c)->Update();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("the journal holds 2 events but checkpoint 3 was"),
            std::string::npos)
      << refused.status().message();
  EXPECT_EQ(*(*c)->Latest(), archived);
  EXPECT_EQ(Slurp(dir / "short" / "tlog-checkpoint"), archived);

  // Growing back to the same size with another event is a fork, not a continuation.
  Enrol(*shorter, "pgo-x", ParseTime("2026-11-20T10:00:00Z", "t").value());
  auto forked = (*c)->Update();
  ASSERT_FALSE(forked.ok());
  EXPECT_NE(forked.status().message().find("differs from the signed checkpoint"), std::string::npos)
      << forked.status().message();
  // And beyond it.
  Enrol(*shorter, "pgo-y", ParseTime("2026-11-20T10:00:00Z", "t").value());
  auto beyond = (*c)->Update();
  ASSERT_FALSE(beyond.ok());
  EXPECT_NE(beyond.status().message().find("is not consistent with the signed checkpoint 3"),
            std::string::npos)
      << beyond.status().message();
  EXPECT_EQ(Slurp(dir / "short" / "tlog-checkpoint"), archived);
}

TEST(CheckpointerTest, AnArchiveNotSignedByTheConfiguredKeyOrOriginIsRefused) {
  testing::TempDir dir;
  auto store = MakeStore(dir / "data", {"pgo-a"});
  {
    auto c = Checkpointer::Open(*store, LogSigner('\x11'), dir / "data");
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->Update().ok());
  }
  auto other_key = Checkpointer::Open(*store, LogSigner('\x22'), dir / "data");
  ASSERT_FALSE(other_key.ok());
  EXPECT_EQ(other_key.status().code(), Status::Code::kCorruption);
  EXPECT_NE(other_key.status().message().find("not signed by the log key"), std::string::npos)
      << other_key.status().message();
  auto other_origin =
      Checkpointer::Open(*store, LogSigner('\x11', "other.example/log"), dir / "data");
  ASSERT_FALSE(other_origin.ok());

  std::ofstream(dir / "data" / "tlog-checkpoint") << "garbage\n";
  EXPECT_FALSE(Checkpointer::Open(*store, LogSigner('\x11'), dir / "data").ok());
}

}  // namespace
}  // namespace medmij::service
