// audit::MakeBundle over a real LMDB store: the participant's events under the checkpoint with
// proofs that verify, the later ones left out and counted, the list versions it entered and
// left, and clear refusals for an unknown participant or a checkpoint of another journal.
#include "audit/make_bundle.h"

#include <gtest/gtest.h>

#include "registry/common/checkpoint.h"
#include "registry/common/sha256.h"
#include "registry/ops/history.h"
#include "tests/unit/store/test_util.h"

namespace medmij::audit {
namespace {

using store::testing::MakeNode;
using store::testing::MakeParticipant;
using store::testing::MakeProvider;
using store::testing::Meta;

constexpr const char* kOrigin = "log.example/medmij";

// A whitelist document with one entry per hostname (what EntryKeys reads of it).
std::string Whitelist(uint64_t volgnummer, const std::vector<std::string>& hosts) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Whitelist xmlns=\"xmlns://afsprakenstelsel.medmij.nl/whitelist/release2/\">"
      "<Tijdstempel>2026-11-22T10:00:00Z</Tijdstempel><Volgnummer>";
  xml += std::to_string(volgnummer);
  xml += "</Volgnummer><MedMijNodes>";
  for (const auto& h : hosts) xml += "<MedMijNode><Hostname>" + h + "</Hostname></MedMijNode>";
  xml += "</MedMijNodes></Whitelist>\n";
  return xml;
}

class MakeBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::Store::Open(dir_.path() / "data");
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened).value();
    auto signer = note::Signer::FromSeed(kOrigin, std::string(32, '\x05'));
    ASSERT_TRUE(signer.ok());
    signer_ = std::make_unique<note::Signer>(*signer);
  }

  void Commit(const std::function<void(store::WriteTxn&)>& fn, const char* command,
              const char* subject) {
    auto txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    fn(**txn);
    auto seq = (*txn)->Commit(Meta(command, subject));
    ASSERT_TRUE(seq.ok()) << seq.status().message();
  }

  void Publish(uint64_t volgnummer, const std::vector<std::string>& hosts) {
    const std::string xml = Whitelist(volgnummer, hosts);
    store::ListVersion v;
    v.list = ListKind::kWhitelist;
    v.volgnummer = volgnummer;
    v.tijdstempel = store::testing::At("2026-11-22T10:00:00Z");
    v.sha256 = Sha256Hex(xml);
    v.size = xml.size();
    v.content_digest = Sha256Hex(xml);
    Commit([&](store::WriteTxn& t) { t.PutListVersion(v, xml); }, "publish", "list:whitelist");
  }

  // A checkpoint of the journal as it is now, signed.
  std::string SignNow() {
    auto r = store_->BeginRead();
    checkpoint::Checkpoint cp{kOrigin, *(*r)->JournalLength(), {}, {}};
    cp.root = *(*r)->TreeHash(cp.size);
    return *signer_->Sign(checkpoint::Format(cp));
  }

  Result<Bundle> Make(const std::string& id, const std::string& note) {
    auto r = store_->BeginRead();
    EXPECT_TRUE(r.ok());
    return MakeBundle(**r, id, note);
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<note::Signer> signer_;
};

TEST_F(MakeBundleTest, HoldsTheParticipantsEventsAndListVersionsUnderTheCheckpoint) {
  Commit([](store::WriteTxn& t) { t.Put(MakeParticipant("acme")); }, "enrol", "participant:acme");
  Commit([](store::WriteTxn& t) { t.Put(MakeParticipant("other", "Other B.V.")); }, "enrol",
         "participant:other");
  Commit([](store::WriteTxn& t) { t.Put(MakeNode("n.acme.example", "acme")); }, "node add",
         "node:n.acme.example");
  Commit([](store::WriteTxn& t) { t.Put(MakeNode("n.other.example", "other")); }, "node add",
         "node:n.other.example");
  Publish(1, {"n.acme.example", "n.other.example"});  // acme enters
  Commit([](store::WriteTxn& t) { t.Put(MakeParticipant("acme", "Acme Zorg B.V.")); }, "rename",
         "participant:acme");
  Publish(2, {"n.other.example"});                    // acme leaves
  Publish(3, {"n.other.example"});                    // no change for acme
  Publish(4, {"n.acme.example", "n.other.example"});  // acme enters again
  const std::string note = SignNow();                 // 9 events
  // After the checkpoint: left out, and the version it archives is not reported.
  Commit([](store::WriteTxn& t) { t.Put(MakeParticipant("acme", "Acme B.V.")); }, "rename",
         "participant:acme");
  Publish(5, {"n.other.example"});

  auto b = Make("acme", note);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->participant, "acme");
  EXPECT_EQ(b->checkpoint_note, note);
  EXPECT_EQ(b->left_out, 2u);
  std::vector<uint64_t> indexes;
  for (const auto& e : b->events) indexes.push_back(e.index);
  EXPECT_EQ(indexes, (std::vector<uint64_t>{0, 2, 5}));
  ASSERT_EQ(b->list_versions.size(), 3u);
  EXPECT_EQ(b->list_versions[0].list, "whitelist");
  EXPECT_EQ(b->list_versions[0].volgnummer, 1u);
  EXPECT_EQ(b->list_versions[0].change, "entered");
  EXPECT_EQ(b->list_versions[0].tijdstempel, "2026-11-22T10:00:00Z");
  EXPECT_EQ(b->list_versions[0].sha256,
            Sha256Hex(Whitelist(1, {"n.acme.example", "n.other.example"})));
  EXPECT_EQ(b->list_versions[1].volgnummer, 2u);
  EXPECT_EQ(b->list_versions[1].change, "left");
  EXPECT_EQ(b->list_versions[2].volgnummer, 4u);
  EXPECT_EQ(b->list_versions[2].change, "entered");

  auto t = VerifyBundle(EncodeBundle(*b), signer_->verifier());
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->tree_size, 9u);
  ASSERT_EQ(t->events.size(), 3u);
  EXPECT_EQ(t->events[2].command, "rename");

  // The other participant: its own events only, on every version.
  auto o = Make("other", note);
  ASSERT_TRUE(o.ok()) << o.status().message();
  indexes.clear();
  for (const auto& e : o->events) indexes.push_back(e.index);
  EXPECT_EQ(indexes, (std::vector<uint64_t>{1, 3}));
  ASSERT_EQ(o->list_versions.size(), 1u);
  EXPECT_EQ(o->list_versions[0].change, "entered");
  EXPECT_TRUE(VerifyBundle(EncodeBundle(*o), signer_->verifier()).ok());
}

TEST_F(MakeBundleTest, ANodeRemovedOrHandedOverIsNoLongerTheParticipants) {
  Commit([](store::WriteTxn& t) { t.Put(MakeParticipant("acme")); }, "enrol", "participant:acme");
  Commit([](store::WriteTxn& t) { t.Put(MakeParticipant("other", "Other B.V.")); }, "enrol",
         "participant:other");
  Commit([](store::WriteTxn& t) { t.Put(MakeNode("shared.example", "acme")); }, "node add",
         "node:shared.example");
  Publish(1, {"shared.example"});
  Commit([](store::WriteTxn& t) { t.EraseNode("shared.example"); }, "node remove",
         "node:shared.example");
  Commit([](store::WriteTxn& t) { t.Put(MakeNode("shared.example", "other")); }, "node add",
         "node:shared.example");
  Publish(2, {"shared.example"});  // the same hostname, now other's: acme left
  auto b = Make("acme", SignNow());
  ASSERT_TRUE(b.ok()) << b.status().message();
  ASSERT_EQ(b->list_versions.size(), 2u);
  EXPECT_EQ(b->list_versions[1].volgnummer, 2u);
  EXPECT_EQ(b->list_versions[1].change, "left");
  // The removal touched acme (before); the re-adding by other did not.
  std::vector<uint64_t> indexes;
  for (const auto& e : b->events) indexes.push_back(e.index);
  EXPECT_EQ(indexes, (std::vector<uint64_t>{0, 2, 4}));
}

TEST_F(MakeBundleTest, RefusesAnUnknownParticipantOrACheckpointOfAnotherJournal) {
  Commit([](store::WriteTxn& t) { t.Put(MakeParticipant("acme")); }, "enrol", "participant:acme");
  Commit([](store::WriteTxn& t) { t.Put(MakeParticipant("other", "Other B.V.")); }, "enrol",
         "participant:other");
  const std::string note = SignNow();

  auto unknown = Make("nobody", note);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), Status::Code::kNotFound);

  checkpoint::Checkpoint forked{kOrigin, 2, merkle::LeafHash("another journal"), {}};
  auto other_root = Make("acme", *signer_->Sign(checkpoint::Format(forked)));
  ASSERT_FALSE(other_root.ok());
  EXPECT_EQ(other_root.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(other_root.status().message(),
            "the journal's tree at 2 events differs from the checkpoint's root: it is not a "
            "checkpoint of this journal");

  checkpoint::Checkpoint longer{kOrigin, 3, merkle::LeafHash("x"), {}};
  auto beyond = Make("acme", *signer_->Sign(checkpoint::Format(longer)));
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(beyond.status().message(),
            "the checkpoint's tree has 3 events but the journal holds 2: it is not a checkpoint "
            "of this journal");

  auto garbage = Make("acme", "not a note");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(garbage.status().message().rfind("checkpoint: ", 0), 0u) << garbage.status().message();
}

// The bundle's rule of which events touch a participant (audit::TouchesParticipant, on the
// stored bytes the verifier has) is the one `participant history` uses
// (ops::EventTouchesParticipant, on decoded events): a provider names its DVA in "dva", and a
// command's subject names the participant as "participant:<id>". Checked on every event of a
// journal that has both, for each participant.
TEST_F(MakeBundleTest, TheBundleRuleAgreesWithParticipantHistory) {
  Commit([](store::WriteTxn& t) { t.Put(MakeParticipant("acme")); }, "enrol", "participant:acme");
  Commit([](store::WriteTxn& t) { t.Put(MakeParticipant("labdva", "Lab B.V.")); }, "enrol",
         "participant:labdva");
  Commit([](store::WriteTxn& t) { t.Put(MakeProvider("lab@medmij", "labdva")); }, "provider add",
         "provider:lab@medmij");
  Commit([](store::WriteTxn& t) { t.Put(MakeNode("n.acme.example", "acme")); }, "node add",
         "node:n.acme.example");
  // A command about a participant whose change is to no record of it.
  Commit([](store::WriteTxn& t) { t.Put(MakeNode("n.other.example", "other")); }, "case open",
         "participant:acme");
  const std::string note = SignNow();

  auto r = store_->BeginRead();
  ASSERT_TRUE(r.ok());
  for (const std::string id : {"acme", "labdva", "other"}) {
    std::vector<uint64_t> history;
    ASSERT_TRUE((*r)->ForEachStoredEvent(1,
                                         [&](const store::JournalEvent& e, std::string_view s) {
                                           auto touches = TouchesParticipant(s, id);
                                           EXPECT_TRUE(touches.ok());
                                           EXPECT_EQ(*touches, ops::EventTouchesParticipant(e, id))
                                               << id << " seq " << e.seq;
                                           if (ops::EventTouchesParticipant(e, id))
                                             history.push_back(e.seq - 1);
                                           return true;
                                         })
                    .ok());
    if (id == "other") continue;  // never enrolled: no bundle, but the rules agree on it too
    auto b = Make(id, note);
    ASSERT_TRUE(b.ok()) << b.status().message();
    std::vector<uint64_t> indexes;
    for (const auto& e : b->events) indexes.push_back(e.index);
    EXPECT_EQ(indexes, history) << id;
  }
  auto lab = Make("labdva", note);
  ASSERT_EQ(lab->events.size(), 2u);  // enrolled, and its provider
  auto acme = Make("acme", note);
  ASSERT_EQ(acme->events.size(), 3u);  // enrolled, its node, and the case by subject
}

}  // namespace
}  // namespace medmij::audit
