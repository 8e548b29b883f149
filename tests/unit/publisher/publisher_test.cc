#include "registry/publisher/publisher.h"

#include <gtest/gtest.h>

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <thread>

#include "registry/lists/lists.h"
#include "registry/ops/ops.h"
#include "tests/bench/gen_registry.h"
#include "tests/support/dev_pki.h"
#include "tests/unit/lists/test_state.h"

namespace medmij::publisher {
namespace {

namespace fs = std::filesystem;
using medmij::testing::AddNode;
using medmij::testing::ReferenceXsd;
using medmij::testing::SmallNetwork;
using medmij::testing::XmllintSchema;

// The development signing hierarchy shared by the build tree (tests/support/dev_pki.h).
fs::path DevKeys() {
  return medmij::testing::SharedDevPki(/*ec=*/false).dir;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int RunQuiet(const std::string& cmd) {
  int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

class PublisherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    libraries_ = signer::Libraries::Init().value().release();
    keys_ = new fs::path(DevKeys());
  }

  void SetUp() override {
    char tmpl[] = "/tmp/medmij-publisher-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // The signing certificate was made at (or before) the wall-clock now: publication times are
    // taken from there, and the registry state is arranged around them.
    t0_ = std::chrono::floor<std::chrono::seconds>(WallClockNow());
    auto schemas = signer::SchemaSet::Load();
    ASSERT_TRUE(schemas.ok()) << schemas.status().message();
    schemas_ = std::move(schemas).value();
    auto signer = signer::Signer::Load(*keys_ / "signing.key", *keys_ / "signing.pem",
                                       *keys_ / "chain.pem", t0_);
    ASSERT_TRUE(signer.ok()) << signer.status().message();
    signer_ = std::move(signer).value();
    auto verifier = signer::Verifier::Load(*keys_ / "ca.pem");
    ASSERT_TRUE(verifier.ok()) << verifier.status().message();
    verifier_ = std::move(verifier).value();
    auto store = store::Store::Open(dir_ / "db");
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }

  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  void Seed(const RegistryState& s) {
    ASSERT_TRUE(bench::WriteRegistry(*store_, s, t0_ - Days(1)).ok());
  }

  Publisher MakePublisher(Options o = {}) {
    o.operator_name = "test-operator";
    return Publisher(*store_, *signer_, *schemas_, std::move(o));
  }

  std::unique_ptr<store::ReadTxn> Read() { return std::move(store_->BeginRead()).value(); }

  std::optional<store::ListVersion> Current(ListKind list) {
    return Read()->CurrentListVersion(list).value();
  }
  std::string Bytes(ListKind list, uint64_t v) {
    return Read()->GetListBytes(list, v).value().value();
  }
  uint64_t JournalLength() { return Read()->JournalLength().value(); }

  // The archived document verifies with our verifier and the stock xmlsec1, validates against
  // the project XSD, and with its signature stripped against the reference XSD unchanged.
  void ExpectGoodDocument(ListKind list, const std::string& doc) {
    SCOPED_TRACE(std::string(ToString(list)));
    auto v = verifier_->Verify(doc, t0_ + Days(1));
    ASSERT_TRUE(v.ok()) << v.status().message();
    EXPECT_TRUE(schemas_->Validate(list, doc).ok());
    fs::path f = dir_ / "check.xml";
    std::ofstream(f, std::ios::binary) << doc;
    EXPECT_EQ(RunQuiet("xmlsec1 --verify --enabled-key-data x509 --trusted-pem '" +
                       (*keys_ / "ca.pem").string() + "' '" + f.string() + "'"),
              0);
    std::string out;
    EXPECT_EQ(XmllintSchema(ReferenceXsd(list), signer::StripSignature(doc), &out), 0) << out;
  }

  static signer::Libraries* libraries_;
  static fs::path* keys_;
  fs::path dir_;
  Time t0_;
  std::unique_ptr<signer::SchemaSet> schemas_;
  std::unique_ptr<signer::Signer> signer_;
  std::unique_ptr<signer::Verifier> verifier_;
  std::unique_ptr<store::Store> store_;
};
signer::Libraries* PublisherTest::libraries_ = nullptr;
fs::path* PublisherTest::keys_ = nullptr;

TEST_F(PublisherTest, EmptyRegistryPublishesSixValidEmptyLists) {
  Report r = MakePublisher().PublishOnce(t0_);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.lists.size(), 6u);
  EXPECT_EQ(r.at, t0_);
  EXPECT_FALSE(r.next_wakeup.has_value());
  for (size_t i = 0; i < 6; ++i) {
    const ListOutcome& o = r.lists[i];
    EXPECT_EQ(o.list, kAllLists[i]);
    EXPECT_TRUE(o.published);
    EXPECT_EQ(o.volgnummer, 1u);
    std::string doc = Bytes(o.list, 1);
    ExpectGoodDocument(o.list, doc);
    auto v = Current(o.list);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->tijdstempel, t0_);
    EXPECT_EQ(v->size, doc.size());
    EXPECT_EQ(v->sha256, Sha256Hex(doc));
    EXPECT_EQ(v->content_digest, Sha256Hex(""));
  }
}

TEST_F(PublisherTest, PublishesJournalsAndRepublishesOnlyOnChange) {
  Seed(SmallNetwork(t0_));
  uint64_t before = JournalLength();
  Report r1 = MakePublisher().PublishOnce(t0_);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(JournalLength(), before + 6);  // one event per list version
  std::vector<std::string> subjects;
  EXPECT_TRUE(Read()
                  ->ForEachEvent(before + 1,
                                 [&](const store::JournalEvent& e) {
                                   EXPECT_EQ(e.meta.command, "publish");
                                   EXPECT_EQ(e.meta.operator_name, "test-operator");
                                   EXPECT_EQ(e.meta.reason, "content changed");
                                   EXPECT_EQ(e.meta.at, t0_);
                                   subjects.push_back(e.meta.subject);
                                   return true;
                                 })
                  .ok());
  EXPECT_EQ(subjects, (std::vector<std::string>{
                          "list:whitelist", "list:oauthclientlist", "list:zorgaanbiederslijst",
                          "list:gegevensdienstnamenlijst", "list:zorgaanbiederslijst_release3",
                          "list:zorgaanbiederskoppellijst"}));
  for (ListKind list : kAllLists) ExpectGoodDocument(list, Bytes(list, 1));
  EXPECT_NE(Bytes(ListKind::kZorgaanbiederslijst, 1).find("umcharderwijk@medmij"),
            std::string::npos);

  // Nothing changed: no version, no event.
  Report r2 = MakePublisher().PublishOnce(t0_ + Millis(60000));
  ASSERT_TRUE(r2.ok());
  for (const auto& o : r2.lists) {
    EXPECT_FALSE(o.published);
    EXPECT_EQ(o.volgnummer, 1u);
    EXPECT_EQ(Read()->ListVersions(o.list).value().size(), 1u);
  }
  EXPECT_EQ(JournalLength(), before + 6);

  // One new node: only the Whitelist gets a new version, numbered 2.
  {
    auto w = std::move(store_->BeginWrite()).value();
    w->Put(Node{"node3.xis-one.net", "xis-one", {t0_, "tester", ""}});
    ASSERT_TRUE(w->Commit({t0_, "tester", "node add", "node:node3.xis-one.net", "test"}).ok());
  }
  Time t2 = t0_ + Millis(120000);
  Report r3 = MakePublisher().PublishOnce(t2);
  ASSERT_TRUE(r3.ok());
  EXPECT_TRUE(r3.lists[0].published);
  EXPECT_EQ(r3.lists[0].volgnummer, 2u);
  for (size_t i = 1; i < kListCount; ++i) {
    EXPECT_FALSE(r3.lists[i].published);
    EXPECT_EQ(r3.lists[i].volgnummer, 1u);
  }
  std::string wl2 = Bytes(ListKind::kWhitelist, 2);
  ExpectGoodDocument(ListKind::kWhitelist, wl2);
  EXPECT_NE(wl2.find("<Tijdstempel>" + FormatTijdstempel(t2) + "</Tijdstempel>"),
            std::string::npos);
  EXPECT_NE(wl2.find("<Volgnummer>2</Volgnummer>"), std::string::npos);
  auto diff = lists::Diff(ListKind::kWhitelist, Bytes(ListKind::kWhitelist, 1), wl2);
  ASSERT_TRUE(diff.ok());
  EXPECT_EQ(diff->added, std::vector<std::string>{"node3.xis-one.net"});
  EXPECT_TRUE(diff->removed.empty() && diff->changed.empty());
  // Version 1 stays archived byte for byte.
  EXPECT_EQ(Read()->ListVersions(ListKind::kWhitelist).value().size(), 2u);
}

TEST_F(PublisherTest, AtMostOneVersionPerListPerSecond) {
  Seed(SmallNetwork(t0_));
  // Published at t0 + 0.1 s: the Tijdstempel is the second, t0.
  Report r1 = MakePublisher().PublishOnce(t0_ + Millis(100));
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(Current(ListKind::kWhitelist)->tijdstempel, t0_);
  EXPECT_NE(Bytes(ListKind::kWhitelist, 1).find("<Tijdstempel>" + FormatTijdstempel(t0_) + "<"),
            std::string::npos);
  auto add_node = [&](const std::string& host, Time at) {
    auto w = std::move(store_->BeginWrite()).value();
    w->Put(Node{host, "xis-one", {at, "tester", ""}});
    ASSERT_TRUE(w->Commit({at, "tester", "node add", "node:" + host, "test"}).ok());
  };
  // A change in the same second is not published in it: deferred to the next second, which
  // the report names as the instant to wake up.
  add_node("node3.xis-one.net", t0_ + Millis(500));
  uint64_t events = JournalLength();
  Report r2 = MakePublisher().PublishOnce(t0_ + Millis(999));
  ASSERT_TRUE(r2.ok());
  EXPECT_FALSE(r2.lists[0].published);
  EXPECT_TRUE(r2.lists[0].deferred);
  EXPECT_EQ(r2.lists[0].volgnummer, 1u);
  EXPECT_FALSE(r2.lists[1].deferred);  // unchanged lists are not deferred
  ASSERT_TRUE(r2.next_wakeup.has_value());
  EXPECT_EQ(*r2.next_wakeup, t0_ + std::chrono::seconds(1));
  EXPECT_EQ(JournalLength(), events);
  // In the next second it is published, with that second as its Tijdstempel.
  Report r3 = MakePublisher().PublishOnce(*r2.next_wakeup);
  ASSERT_TRUE(r3.ok());
  EXPECT_TRUE(r3.lists[0].published);
  EXPECT_FALSE(r3.lists[0].deferred);
  EXPECT_EQ(r3.lists[0].volgnummer, 2u);
  EXPECT_EQ(Current(ListKind::kWhitelist)->tijdstempel, t0_ + std::chrono::seconds(1));
  std::string wl2 = Bytes(ListKind::kWhitelist, 2);
  EXPECT_NE(wl2.find("<Tijdstempel>" + FormatTijdstempel(t0_ + std::chrono::seconds(1)) + "<"),
            std::string::npos);
  ExpectGoodDocument(ListKind::kWhitelist, wl2);

  // A clock stepped back never gives a version an earlier Tijdstempel than its predecessor's:
  // the change waits until the clock has passed the current version's second.
  add_node("node4.xis-one.net", t0_ + Millis(2000));
  Report r4 = MakePublisher().PublishOnce(t0_ - std::chrono::seconds(30));
  EXPECT_TRUE(r4.lists[0].deferred);
  EXPECT_FALSE(r4.lists[0].published);
  ASSERT_TRUE(r4.next_wakeup.has_value());
  EXPECT_EQ(*r4.next_wakeup, t0_ + std::chrono::seconds(2));
  EXPECT_EQ(Current(ListKind::kWhitelist)->volgnummer, 2u);
}

TEST_F(PublisherTest, ParticipantWhoseCertificateLapsesLeavesAtTheNextPublication) {
  RegistryState s = SmallNetwork(t0_);
  Time lapse = t0_ + Millis(3600000);
  s.participants["xis-two"].certificates.back().valid_until = lapse;
  Seed(s);
  Report r1 = MakePublisher().PublishOnce(t0_);
  ASSERT_TRUE(r1.ok());
  ASSERT_TRUE(r1.next_wakeup.has_value());
  EXPECT_EQ(*r1.next_wakeup, lapse);  // the earliest change of standing over all participants
  EXPECT_NE(Bytes(ListKind::kWhitelist, 1).find("node.xis-two.net"), std::string::npos);

  Report r2 = MakePublisher().PublishOnce(lapse);
  ASSERT_TRUE(r2.ok());
  EXPECT_TRUE(r2.lists[0].published);   // Whitelist
  EXPECT_FALSE(r2.lists[1].published);  // OCL: xis-two has no OAuth clients
  EXPECT_TRUE(r2.lists[2].published);   // ZAL
  EXPECT_FALSE(r2.lists[3].published);  // GNL
  EXPECT_TRUE(r2.lists[4].published);   // ZAL release3
  EXPECT_TRUE(r2.lists[5].published);   // ZAKL
  for (ListKind list :
       {ListKind::kZorgaanbiederslijstRelease3, ListKind::kZorgaanbiederskoppellijst}) {
    auto d = lists::Diff(list, Bytes(list, 1), Bytes(list, 2));
    ASSERT_TRUE(d.ok()) << ToString(list);
    EXPECT_EQ(d->removed, std::vector<std::string>{"huisartsenpost@medmij"}) << ToString(list);
    EXPECT_TRUE(d->added.empty() && d->changed.empty()) << ToString(list);
  }
  auto wl = lists::Diff(ListKind::kWhitelist, Bytes(ListKind::kWhitelist, 1),
                        Bytes(ListKind::kWhitelist, 2));
  ASSERT_TRUE(wl.ok());
  EXPECT_EQ(wl->removed, std::vector<std::string>{"node.xis-two.net"});
  EXPECT_TRUE(wl->added.empty());
  auto zal = lists::Diff(ListKind::kZorgaanbiederslijst, Bytes(ListKind::kZorgaanbiederslijst, 1),
                         Bytes(ListKind::kZorgaanbiederslijst, 2));
  ASSERT_TRUE(zal.ok());
  EXPECT_EQ(zal->removed, std::vector<std::string>{"huisartsenpost@medmij"});
  EXPECT_TRUE(zal->added.empty() && zal->changed.empty());
}

TEST_F(PublisherTest, SigningFailureKeepsTheLastGoodVersion) {
  Seed(SmallNetwork(t0_));
  ASSERT_TRUE(MakePublisher().PublishOnce(t0_).ok());
  uint64_t events = JournalLength();
  std::string zal1 = Bytes(ListKind::kZorgaanbiederslijst, 1);
  // After the signing certificate's NotAfter every participant's audit statement is stale too,
  // so every participant-derived list changes, and none may be signed.
  Time late = signer_->NotAfter() + Millis(1000);
  Report r = MakePublisher().PublishOnce(late);
  EXPECT_FALSE(r.ok());
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_FALSE(r.lists[i].published);
    EXPECT_FALSE(r.lists[i].status.ok()) << ToString(r.lists[i].list);
    EXPECT_NE(r.lists[i].status.message().find("publish " + std::string(ToString(kAllLists[i]))),
              std::string::npos)
        << r.lists[i].status.message();
    EXPECT_EQ(r.lists[i].volgnummer, 1u);
  }
  EXPECT_TRUE(r.lists[3].status.ok());  // the catalogue did not change: nothing to sign
  EXPECT_EQ(JournalLength(), events);
  EXPECT_EQ(Current(ListKind::kZorgaanbiederslijst)->volgnummer, 1u);
  EXPECT_EQ(Bytes(ListKind::kZorgaanbiederslijst, 1), zal1);
}

// The self-check before archiving: with the participants' anchor every version passes and is
// archived; with an anchor the signing certificate does not chain to, nothing is archived and each
// list says why, as a signing failure does.
TEST_F(PublisherTest, ASelfCheckThatFailsArchivesNothingAndSaysWhy) {
  Seed(SmallNetwork(t0_));
  auto anchor = signer::SelfCheck::Load(*keys_ / "ca.pem", {}, {});
  ASSERT_TRUE(anchor.ok()) << anchor.status().message();
  Options checked;
  checked.self_check = anchor->get();
  ASSERT_TRUE(MakePublisher(checked).PublishOnce(t0_).ok());
  ExpectGoodDocument(ListKind::kWhitelist, Bytes(ListKind::kWhitelist, 1));

  ASSERT_EQ(
      RunQuiet("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
               "-subj /CN=Elsewhere -days 2 -keyout '" +
               (dir_ / "other.key").string() + "' -out '" + (dir_ / "other.pem").string() + "'"),
      0);
  auto other = signer::SelfCheck::Load(dir_ / "other.pem", {}, {});
  ASSERT_TRUE(other.ok()) << other.status().message();
  Options wrong;
  wrong.self_check = other->get();
  const uint64_t events = JournalLength();
  // A change of every participant-derived list: none may be archived.
  Report r = MakePublisher(wrong).PublishOnce(signer_->NotAfter() - Days(1));
  EXPECT_FALSE(r.ok());
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_FALSE(r.lists[i].published) << ToString(r.lists[i].list);
    EXPECT_NE(r.lists[i].status.message().find("self-check: the signing certificate "),
              std::string::npos)
        << r.lists[i].status.message();
    EXPECT_NE(r.lists[i].status.message().find("does not chain to [signing] trust_anchor"),
              std::string::npos)
        << r.lists[i].status.message();
    EXPECT_EQ(r.lists[i].volgnummer, 1u);
  }
  EXPECT_EQ(JournalLength(), events);
}

TEST_F(PublisherTest, ValidationFailureBlocksOnlyThatList) {
  RegistryState s = SmallNetwork(t0_);
  // A hostname the store accepts here (written past the CLI's validation) but the XSD refuses.
  AddNode(s, "Bad_Host.example.nl", "pgo-one", t0_);
  s.services["9"] = DataService{"9", "Nieuwe dienst", {t0_, "tester", ""}};
  Seed(s);
  Report r = MakePublisher().PublishOnce(t0_);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.lists[0].published);
  EXPECT_FALSE(r.lists[0].status.ok());
  EXPECT_EQ(r.lists[0].volgnummer, 0u);
  EXPECT_FALSE(Current(ListKind::kWhitelist).has_value());
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_TRUE(r.lists[i].published) << r.lists[i].status.message();
    EXPECT_TRUE(r.lists[i].status.ok());
  }
  EXPECT_NE(Bytes(ListKind::kGegevensdienstnamenlijst, 1).find("Nieuwe dienst"), std::string::npos);
}

// Modification time of `p` in whole seconds.
Time Mtime(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return FromMillis(int64_t{st.st_mtime} * 1000);
}

TEST_F(PublisherTest, ExportDirHoldsTheStrictFormAtTheTopAndTheArchivedBytesInSigned) {
  Seed(SmallNetwork(t0_));
  fs::path exp = dir_ / "export";
  fs::create_directories(exp);
  Options o;
  o.export_dir = exp;
  ASSERT_TRUE(MakePublisher(o).PublishOnce(t0_).ok());
  {
    auto w = std::move(store_->BeginWrite()).value();
    w->EraseOAuthClient("app.pgo-two.nl");
    ASSERT_TRUE(w->Commit({t0_, "tester", "oauth-client remove", "x", "test"}).ok());
  }
  ASSERT_TRUE(MakePublisher(o).PublishOnce(t0_ + Millis(1000)).ok());
  for (const fs::path& d : {exp, exp / "signed"}) {
    size_t files = 0;
    for (const auto& e : fs::directory_iterator(d)) {
      if (e.is_directory()) continue;
      ++files;
      EXPECT_EQ(e.path().filename().string().rfind("MedMij_", 0), 0u) << e.path();  // no temp
      EXPECT_EQ(fs::status(e.path()).permissions() & fs::perms::others_read,
                fs::perms::others_read);
    }
    EXPECT_EQ(files, kListCount) << d;
  }
  for (ListKind list : kAllLists) {
    SCOPED_TRACE(std::string(ToString(list)));
    auto v = Current(list);
    ASSERT_TRUE(v);
    const std::string name(PublishedFileName(list));
    const std::string archived = Bytes(list, v->volgnummer);
    EXPECT_EQ(ReadFile(exp / "signed" / name), archived);
    EXPECT_EQ(ReadFile(exp / name), signer::StripSignature(archived));
    EXPECT_EQ(ReadFile(exp / name).find("Signature"), std::string::npos);
    std::string out;
    EXPECT_EQ(XmllintSchema(ReferenceXsd(list), ReadFile(exp / name), &out), 0) << out;
    // The Tijdstempel is each file's modification time: a web server's Last-Modified.
    EXPECT_EQ(Mtime(exp / name), v->tijdstempel);
    EXPECT_EQ(Mtime(exp / "signed" / name), v->tijdstempel);
  }
  EXPECT_EQ(Current(ListKind::kOAuthClientList)->volgnummer, 2u);
  EXPECT_EQ(Mtime(exp / "MedMij_OAuthclientlist.xml"), t0_ + Millis(1000));

  // default_form = signed: the top-level files are the signed form too.
  fs::path exp2 = dir_ / "export-signed";
  fs::create_directories(exp2);
  o.export_dir = exp2;
  o.default_form = ListForm::kSigned;
  ASSERT_TRUE(MakePublisher(o).PublishOnce(t0_ + Millis(2000)).ok());
  for (ListKind list : kAllLists) {
    const std::string name(PublishedFileName(list));
    EXPECT_EQ(ReadFile(exp2 / name), Bytes(list, Current(list)->volgnummer));
    EXPECT_EQ(ReadFile(exp2 / "signed" / name), ReadFile(exp2 / name));
  }
}

TEST_F(PublisherTest, ExportDirCatchesUpAfterFailureAndOnStart) {
  Seed(SmallNetwork(t0_));
  fs::path exp = dir_ / "missing-export";
  Options o;
  o.export_dir = exp;
  Publisher p = MakePublisher(o);
  Report r1 = p.PublishOnce(t0_);
  // Archived, but the export failed: the outcome says so.
  for (const auto& l : r1.lists) {
    EXPECT_TRUE(l.published);
    EXPECT_EQ(l.status.code(), Status::Code::kIoError) << l.status.message();
  }
  EXPECT_FALSE(r1.ok());
  fs::create_directories(exp);
  // Nothing changed, yet the same publisher writes what it could not write before...
  Report r2 = p.PublishOnce(t0_ + Millis(1000));
  EXPECT_TRUE(r2.ok()) << r2.lists[0].status.message();
  for (ListKind list : kAllLists) {
    EXPECT_EQ(ReadFile(exp / "signed" / std::string(PublishedFileName(list))), Bytes(list, 1));
  }
  // ...and a new publisher (a restart) fills a fresh export dir from the archive.
  fs::path exp2 = dir_ / "export2";
  fs::create_directories(exp2);
  o.export_dir = exp2;
  Report r3 = MakePublisher(o).PublishOnce(t0_ + Millis(2000));
  EXPECT_TRUE(r3.ok());
  for (ListKind list : kAllLists) {
    EXPECT_FALSE(r3.lists[0].published);
    EXPECT_EQ(ReadFile(exp2 / "signed" / std::string(PublishedFileName(list))), Bytes(list, 1));
    EXPECT_EQ(ReadFile(exp2 / std::string(PublishedFileName(list))),
              signer::StripSignature(Bytes(list, 1)));
  }
}

TEST_F(PublisherTest, ConcurrentPublishersArchiveEachContentOnce) {
  Seed(SmallNetwork(t0_));
  Publisher a = MakePublisher();
  Publisher b = MakePublisher();
  Report ra, rb;
  std::thread ta([&] { ra = a.PublishOnce(t0_); });
  std::thread tb([&] { rb = b.PublishOnce(t0_ + Millis(1)); });
  ta.join();
  tb.join();
  EXPECT_TRUE(ra.ok());
  EXPECT_TRUE(rb.ok());
  for (size_t i = 0; i < 4; ++i) {
    // Whoever came second found equal content archived already.
    EXPECT_EQ(ra.lists[i].published + rb.lists[i].published, 1) << ToString(kAllLists[i]);
    EXPECT_EQ(ra.lists[i].volgnummer, 1u);
    EXPECT_EQ(rb.lists[i].volgnummer, 1u);
    EXPECT_EQ(Read()->ListVersions(kAllLists[i]).value().size(), 1u);
  }
}

// A document without what only its version says: its signature, Tijdstempel and Volgnummer.
std::string Entries(const std::string& doc) {
  std::string out = signer::StripSignature(doc);
  for (const std::string tag : {"Tijdstempel", "Volgnummer"}) {
    const size_t b = out.find("<" + tag + ">");
    const size_t e = out.find("</" + tag + ">");
    if (b == std::string::npos || e == std::string::npos) return "no " + tag;
    out.erase(b, e + tag.size() + 3 - b);
  }
  return out;
}

TEST_F(PublisherTest, KeyRollResignsEveryListWithTheSameEntriesAndTheNextVolgnummer) {
  Seed(SmallNetwork(t0_));
  fs::path exp = dir_ / "export";
  fs::create_directories(exp);
  Options o;
  o.export_dir = exp;
  ASSERT_TRUE(MakePublisher(o).PublishOnce(t0_).ok());
  const uint64_t events = JournalLength();

  // The next certificate, with a new key, from the same intermediate; its notBefore is the wall
  // clock's now, so it signs from the next whole second on.
  const auto next = medmij::testing::NewSigningCertificate(dir_ / "pki-next", false, 365);
  const Time t1 = std::chrono::ceil<std::chrono::seconds>(WallClockNow()) + std::chrono::seconds(1);
  auto rolled = signer::Signer::Load(next.key, next.cert, next.chain, t1);
  ASSERT_TRUE(rolled.ok()) << rolled.status().message();
  ASSERT_NE((*rolled)->CertificatesSha256(), signer_->CertificatesSha256());
  for (ListKind list : kAllLists) {
    auto carried = signer::SigningCertificatesOf(Bytes(list, 1));
    ASSERT_TRUE(carried.ok()) << carried.status().message();
    EXPECT_EQ(carried->sha256, signer_->CertificatesSha256());
    EXPECT_EQ(carried->not_after, signer_->NotAfter());
  }

  o.operator_name = "test-operator";
  Publisher with_next(*store_, **rolled, *schemas_, o);
  Report r = with_next.PublishOnce(t1);
  ASSERT_TRUE(r.ok());
  for (const ListOutcome& l : r.lists) {
    SCOPED_TRACE(std::string(ToString(l.list)));
    EXPECT_TRUE(l.published);
    EXPECT_TRUE(l.resigned);
    EXPECT_EQ(l.volgnummer, 2u);
    const std::string v1 = Bytes(l.list, 1), v2 = Bytes(l.list, 2);
    EXPECT_EQ(Entries(v2), Entries(v1));
    EXPECT_EQ(Current(l.list)->content_digest,
              Read()->GetListVersion(l.list, 1).value()->content_digest);
    auto carried = signer::SigningCertificatesOf(v2);
    ASSERT_TRUE(carried.ok()) << carried.status().message();
    EXPECT_EQ(carried->sha256, (*rolled)->CertificatesSha256());
    EXPECT_EQ(carried->subject, (*rolled)->SubjectName());
    ExpectGoodDocument(l.list, v2);
    EXPECT_EQ(ReadFile(exp / "signed" / std::string(PublishedFileName(l.list))), v2);
  }
  EXPECT_EQ(JournalLength(), events + kListCount);
  EXPECT_TRUE(Read()
                  ->ForEachEvent(events + 1,
                                 [&](const store::JournalEvent& e) {
                                   EXPECT_EQ(e.meta.command, "publish");
                                   EXPECT_EQ(e.meta.reason, "signing certificate changed");
                                   return true;
                                 })
                  .ok());

  // Signed as this publisher signs: no further version, from this publisher or a new one.
  EXPECT_FALSE(with_next.PublishOnce(t1 + std::chrono::seconds(5)).lists[0].published);
  Report again =
      Publisher(*store_, **rolled, *schemas_, o).PublishOnce(t1 + std::chrono::seconds(6));
  for (const ListOutcome& l : again.lists) {
    EXPECT_FALSE(l.published) << ToString(l.list);
    EXPECT_EQ(l.volgnummer, 2u);
  }
  EXPECT_EQ(JournalLength(), events + kListCount);
}

TEST_F(PublisherTest, KeyRollInTheSameSecondIsDeferredToTheNext) {
  const auto next = medmij::testing::NewSigningCertificate(dir_ / "pki-next", false, 365);
  const Time t1 = std::chrono::ceil<std::chrono::seconds>(WallClockNow()) + std::chrono::seconds(1);
  ASSERT_TRUE(MakePublisher().PublishOnce(t1).ok());
  auto rolled = signer::Signer::Load(next.key, next.cert, next.chain, t1);
  ASSERT_TRUE(rolled.ok()) << rolled.status().message();
  Publisher with_next(*store_, **rolled, *schemas_, Options{});
  Report r = with_next.PublishOnce(t1 + Millis(500));
  EXPECT_TRUE(r.lists[0].deferred);
  EXPECT_FALSE(r.lists[0].published);
  ASSERT_TRUE(r.next_wakeup.has_value());
  EXPECT_EQ(*r.next_wakeup, t1 + std::chrono::seconds(1));
  Report r2 = with_next.PublishOnce(*r.next_wakeup);
  EXPECT_TRUE(r2.lists[0].resigned);
  EXPECT_EQ(r2.lists[0].volgnummer, 2u);
}

TEST_F(PublisherTest, GeneratedRegistryPublishesValidLists) {
  bench::GenOptions g;
  g.providers = 1500;
  g.participants = 40;
  g.at = t0_;
  RegistryState s = bench::GenerateRegistry(g);
  ASSERT_TRUE(bench::WriteRegistry(*store_, s, t0_ - Days(1)).ok());
  Report r = MakePublisher().PublishOnce(t0_);
  ASSERT_TRUE(r.ok());
  for (ListKind list : kAllLists) {
    std::string doc = Bytes(list, 1);
    ExpectGoodDocument(list, doc);
    // Equal state, equal content: derived again from a fresh snapshot, the digest matches.
    EXPECT_EQ(Current(list)->content_digest,
              lists::Derive(list, Read()->LoadState().value(), t0_).digest);
  }
  size_t zal_entries = lists::Derive(ListKind::kZorgaanbiederslijst, s, t0_).entry_count;
  EXPECT_GT(zal_entries, 1000u);  // most providers are published,
  EXPECT_LT(zal_entries, 1500u);  // those of excluded DVAs are not
}

// The incremental path (Options::incremental, the default) publishes what the full derivation
// gives, byte for byte, validated and signed so that the stock xmllint (reference XSD) and
// xmlsec1 accept it; after the first publication it only applies the journal events since.
TEST_F(PublisherTest, IncrementalPublicationsAreTheFullDerivationAndPassStockTools) {
  Seed(SmallNetwork(t0_));
  Publisher pub = MakePublisher();
  Report r1 = pub.PublishOnce(t0_);
  ASSERT_TRUE(r1.ok());
  EXPECT_TRUE(r1.derivation.rebuilt);
  std::array<uint64_t, kListCount> volgnummer{};
  volgnummer.fill(1);
  Time t = t0_;
  // Each change through the ops layer, then one publication: the lists that changed (only
  // those) get the next version, equal to a full Derive + Render.
  auto step = [&](const char* what, std::vector<ListKind> changed,
                  const std::function<Status(store::WriteTxn&, const ops::Actor&)>& op) {
    SCOPED_TRACE(what);
    t += std::chrono::seconds(2);
    {
      auto w = std::move(store_->BeginWrite()).value();
      ASSERT_TRUE(op(*w, ops::Actor{"tester", t}).ok());
      ASSERT_TRUE(w->Commit({t, "tester", what, "", ""}).ok());
    }
    Report r = pub.PublishOnce(t);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.derivation.rebuilt) << r.derivation.why;
    EXPECT_GE(r.derivation.events, 2u);  // the change and the last publication's archive events
    RegistryState state = Read()->LoadState().value();
    for (size_t i = 0; i < kListCount; ++i) {
      const ListKind list = kAllLists[i];
      SCOPED_TRACE(std::string(ToString(list)));
      const bool expect = std::find(changed.begin(), changed.end(), list) != changed.end();
      EXPECT_EQ(r.lists[i].published, expect);
      if (!expect) continue;
      ++volgnummer[i];
      ASSERT_EQ(r.lists[i].volgnummer, volgnummer[i]);
      const std::string doc = Bytes(list, volgnummer[i]);
      ExpectGoodDocument(list, doc);
      EXPECT_EQ(signer::StripSignature(doc),
                lists::Render(lists::Derive(list, state, t), t, volgnummer[i]));
    }
  };
  step("node add", {ListKind::kWhitelist},
       [](auto& w, auto& a) { return ops::AddNode(w, a, "xis-one", "node3.xis-one.net"); });
  // Aanbiedertype and identifiers: not in the release2 ZAL.
  step("provider set",
       {ListKind::kZorgaanbiederslijstRelease3, ListKind::kZorgaanbiederskoppellijst},
       [](auto& w, auto& a) {
         ops::ProviderUpdate u;
         u.name = "ziekenhuisoost@medmij";
         u.identifiers["ura"] = "12345678";
         u.type = "BAZB";
         return ops::UpdateProvider(w, a, u);
       });
  step("oauth client add", {ListKind::kOAuthClientList}, [](auto& w, auto& a) {
    return ops::AddOAuthClient(w, a, "pgo-two", "web.pgo-two.nl", "PGO Two & Web");
  });
  // A participant change removes its node and its providers from four lists at once.
  step("suspend",
       {ListKind::kWhitelist, ListKind::kZorgaanbiederslijst,
        ListKind::kZorgaanbiederslijstRelease3, ListKind::kZorgaanbiederskoppellijst},
       [](auto& w, auto& a) { return ops::Suspend(w, a, "xis-two", "test"); });
  step("service add", {ListKind::kGegevensdienstnamenlijst},
       [](auto& w, auto& a) { return ops::AddService(w, a, "5", "Vaccinaties & meer"); });
}

// The incremental path validates the changed entries for real: an entry the XSD refuses (a
// node written past the ops layer's validation) blocks its list, the others publish, and the
// list publishes again once the entry is gone.
TEST_F(PublisherTest, IncrementalValidationRefusesABadChangedEntry) {
  Seed(SmallNetwork(t0_));
  Publisher pub = MakePublisher();
  ASSERT_TRUE(pub.PublishOnce(t0_).ok());
  Time t = t0_ + std::chrono::seconds(2);
  {
    auto w = std::move(store_->BeginWrite()).value();
    w->Put(Node{"Bad_Host.xis-one.net", "xis-one", {t, "tester", ""}});
    w->Put(DataService{"9", "Nieuwe dienst", {t, "tester", ""}});
    ASSERT_TRUE(w->Commit({t, "tester", "raw", "", ""}).ok());
  }
  Report r = pub.PublishOnce(t);
  EXPECT_FALSE(r.derivation.rebuilt) << r.derivation.why;
  EXPECT_FALSE(r.lists[0].published);
  EXPECT_FALSE(r.lists[0].status.ok());
  EXPECT_NE(r.lists[0].status.message().find("changed entries"), std::string::npos)
      << r.lists[0].status.message();
  EXPECT_EQ(Current(ListKind::kWhitelist)->volgnummer, 1u);
  EXPECT_TRUE(r.lists[3].published) << r.lists[3].status.message();  // the GNL

  t += std::chrono::seconds(2);
  {
    auto w = std::move(store_->BeginWrite()).value();
    w->EraseNode("Bad_Host.xis-one.net");
    w->Put(Node{"good.xis-one.net", "xis-one", {t, "tester", ""}});
    ASSERT_TRUE(w->Commit({t, "tester", "raw", "", ""}).ok());
  }
  Report r2 = pub.PublishOnce(t);
  ASSERT_TRUE(r2.ok()) << r2.lists[0].status.message();
  EXPECT_TRUE(r2.lists[0].published);
  ExpectGoodDocument(ListKind::kWhitelist, Bytes(ListKind::kWhitelist, 2));
}

// Full (Options::incremental = false) and incremental publishers archive the same content.
TEST_F(PublisherTest, FullAndIncrementalPublishersAgree) {
  Seed(SmallNetwork(t0_));
  Publisher inc = MakePublisher();
  Options o;
  o.incremental = false;
  Publisher full = MakePublisher(o);
  ASSERT_TRUE(inc.PublishOnce(t0_).ok());
  Time t = t0_;
  for (int i = 0; i < 4; ++i) {
    t += std::chrono::seconds(2);
    {
      auto w = std::move(store_->BeginWrite()).value();
      ASSERT_TRUE(
          ops::AddNode(*w, {"tester", t}, "xis-one", "n" + std::to_string(i) + ".xis-one.net")
              .ok());
      ASSERT_TRUE(w->Commit({t, "tester", "node add", "", ""}).ok());
    }
    Publisher& p = i % 2 == 0 ? full : inc;
    Report r = p.PublishOnce(t);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.derivation.rebuilt, i % 2 == 0);
    EXPECT_TRUE(r.lists[0].published);
    for (size_t k = 1; k < kListCount; ++k) EXPECT_FALSE(r.lists[k].published);
    RegistryState state = Read()->LoadState().value();
    EXPECT_EQ(
        signer::StripSignature(Bytes(ListKind::kWhitelist, r.lists[0].volgnummer)),
        lists::Render(lists::Derive(ListKind::kWhitelist, state, t), t, r.lists[0].volgnummer));
  }
}

}  // namespace
}  // namespace medmij::publisher
