// The router in process: every route, method, query parameter and error, without sockets.
// A fake ContentSource serves a hand-made snapshot and archive.
#include "registry/http/router.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "registry/common/sha256.h"
#include "registry/http/encoding.h"
#include "registry/http/http_util.h"
#include "registry/http/register_pages.h"
#include "registry/web/view_builder.h"

namespace medmij::http {
namespace {

using nlohmann::json;

Time At(const char* iso) {
  return ParseTime(iso, "t").value();
}

const Time kNow = At("2026-11-22T10:00:30Z");
const Time kPublished = At("2026-11-22T10:00:00.250Z");

// A list document of kind `k` with Volgnummer 3, with or without its signature. Built by
// appending: g++ 12 at -O3 warns falsely (-Wrestrict) on "literal" + std::string here.
std::string Document(ListKind k, bool with_signature) {
  std::string doc = "<";
  doc += Spec(k).root;
  doc += "><Volgnummer>3</Volgnummer>";
  if (with_signature) doc += "<ds:Signature/>";
  doc += "</";
  doc += Spec(k).root;
  doc += ">\n";
  return doc;
}
std::string Signed(ListKind k) {
  return Document(k, true);
}
std::string Strict(ListKind k) {
  return Document(k, false);
}

class FakeSource : public ContentSource {
 public:
  FakeSource() : snap_(std::make_shared<Snapshot>()) {}

  // Every list at volgnummer 3, published at kPublished, one participant.
  void PublishAll() {
    for (ListKind k : kAllLists) {
      auto l = std::make_shared<ServedList>();
      l->list = k;
      l->volgnummer = 3;
      l->tijdstempel = FormatTime(kPublished);
      l->last_modified = kPublished;
      l->last_modified_text = FormatHttpDate(kPublished);
      l->signed_body = std::make_shared<const ServedBody>(Signed(k));
      l->unsigned_body = std::make_shared<const ServedBody>(Strict(k));
      l->versions_json = json{{"list", ToString(k)}, {"versions", {{{"volgnummer", 3}}}}}.dump();
      snap_->lists[static_cast<size_t>(k)] = l;
      archive_[{k, 3}] = "archived " + std::string(ToString(k)) + " 3";
    }
    snap_->participants_json = R"({"participants":[{"id":"acme"}]})";
    snap_->participant_json["acme"] = R"({"id":"acme"})";
    snap_->last_attempt = kPublished;
    snap_->last_success = kPublished;
    snap_->publications_total = 7;
  }

  std::shared_ptr<const Snapshot> Current() const override {
    if (throw_) throw std::runtime_error("secret internals");
    return snap_;
  }
  Result<std::optional<ArchivedVersion>> Archived(ListKind list, uint64_t volgnummer,
                                                  ListForm form) const override {
    if (!archive_error_.ok()) return archive_error_;
    auto it = archive_.find({list, volgnummer});
    if (it == archive_.end()) return std::optional<ArchivedVersion>();
    std::string bytes = it->second + (form == ListForm::kStrict ? " strict" : " signed");
    return std::optional<ArchivedVersion>(ArchivedVersion{bytes, Sha256Hex(bytes)});
  }
  Status SignerUsable(Time) const override { return signer_; }
  std::optional<Time> SignerNotAfter() const override { return signer_not_after_; }
  Result<std::optional<std::string>> LogTile(const tiles::Tile& tile) const override {
    auto it = log_tiles_.find(tiles::Path(tile));
    if (it == log_tiles_.end()) return std::optional<std::string>();
    if (it->second == "corrupt") return Status::Corruption("tree hash (level 0, index 9): missing");
    return std::optional<std::string>(it->second);
  }

  // Every served list carries a signing certificate that expires at `not_after`.
  void CertificatesExpireAt(Time not_after) {
    for (auto& l : snap_->lists) {
      auto copy = std::make_shared<ServedList>(*l);
      copy->certificate_not_after = not_after;
      copy->certificate_subject = "CN=Lists 2026";
      l = copy;
    }
  }

  std::shared_ptr<Snapshot> snap_;
  std::map<std::pair<ListKind, uint64_t>, std::string> archive_;
  Status archive_error_;
  Status signer_;
  std::optional<Time> signer_not_after_;
  bool throw_ = false;
  std::map<std::string, std::string> log_tiles_;  // by tiles::Path; "corrupt": kCorruption
  std::optional<http::StorageReport> Storage() const override { return storage_; }
  std::optional<http::StorageReport> storage_;
  std::optional<http::VerificationReport> BackgroundVerification() const override {
    return verification_;
  }
  std::optional<http::VerificationReport> verification_;
};

class FakeAudit : public AuditHandler {
 public:
  Reply Serve(const Request& request, std::string_view path, Time now) const override {
    seen_path = std::string(path);
    seen_method = request.method;
    seen_now = now;
    return TextReply(200, "audit");
  }
  uint64_t AuthFailures() const override { return 5; }
  mutable std::string seen_path;
  mutable Method seen_method = Method::kOther;
  mutable Time seen_now{};
};

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override { source_.PublishAll(); }

  Reply Get(std::string_view target, std::vector<std::pair<std::string, std::string>> headers = {},
            Method method = Method::kGet) {
    Request r = Request::FromTarget(method, target);
    r.headers = std::move(headers);
    return Route(source_, options_, metrics_, r, kNow, audit_);
  }
  static std::string Body(const Reply& r) {
    return r.shared_body ? r.shared_body->bytes() : r.body;
  }
  static bool HasHeader(const Reply& r, const std::string& line) {
    return r.headers.find(line + "\r\n") != std::string::npos;
  }

  FakeSource source_;
  RouterOptions options_;
  RequestMetrics metrics_;
  const AuditHandler* audit_ = nullptr;
};

TEST_F(RouterTest, EveryListIsServedInBothFormsWithValidatorsAndCaching) {
  for (ListKind k : kAllLists) {
    const std::string name(PublishedFileName(k));
    for (Method m : {Method::kGet, Method::kHead}) {
      Reply r = Get("/" + name, {}, m);
      EXPECT_EQ(r.status, 200) << name;
      EXPECT_EQ(r.content_type, "application/xml");
      EXPECT_EQ(Body(r), Strict(k));  // the official name serves the default form: strict
      EXPECT_TRUE(HasHeader(r, "ETag: \"" + Sha256Hex(Strict(k)) + "\"")) << r.headers;
      EXPECT_TRUE(HasHeader(r, "Last-Modified: Sun, 22 Nov 2026 10:00:00 GMT")) << r.headers;
      EXPECT_TRUE(HasHeader(r, "Cache-Control: public, max-age=60")) << r.headers;
      EXPECT_TRUE(HasHeader(r, "Link: </signed/" + name + ">; rel=\"alternate\"")) << r.headers;
      Reply s = Get("/signed/" + name, {}, m);
      EXPECT_EQ(s.status, 200);
      EXPECT_EQ(Body(s), Signed(k));
      EXPECT_TRUE(HasHeader(s, "ETag: \"" + Sha256Hex(Signed(k)) + "\"")) << s.headers;
      EXPECT_TRUE(HasHeader(s, "Link: </" + name + ">; rel=\"alternate\"")) << s.headers;
    }
    EXPECT_EQ(Body(Get("/" + name + "?signed=false")), Strict(k));
    EXPECT_EQ(Body(Get("/" + name + "?signed=true")), Signed(k));
    EXPECT_EQ(Get("/" + name + "?api=" + std::string(Spec(k).api_major)).status, 200);
    EXPECT_EQ(Get("/signed/" + name + "?api=" + std::string(Spec(k).api_major)).status, 200);
    EXPECT_EQ(Get("/signed/" + name + "?signed=false").body, "unknown query parameter 'signed'\n");
  }
  options_.default_form = ListForm::kSigned;
  Reply r = Get("/MedMij_Whitelist.xml");
  EXPECT_EQ(Body(r), Signed(ListKind::kWhitelist));
  EXPECT_TRUE(HasHeader(r, "Link: </MedMij_Whitelist.xml?signed=false>; rel=\"alternate\""))
      << r.headers;
  EXPECT_EQ(Get("/signed/MedMij_Nope.xml").status, 404);
  EXPECT_EQ(Get("/signed/").status, 404);
}

TEST_F(RouterTest, ListParametersAreCheckedAndNamed) {
  Reply r = Get("/MedMij_Whitelist.xml?signed=yes");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "query parameter 'signed' must be true or false\n");
  r = Get("/MedMij_Whitelist.xml?api=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "query parameter 'api' must be 2\n");
  EXPECT_EQ(Get("/MedMij_Gegevensdienstnamenlijst.xml?api=2").body,
            "query parameter 'api' must be 1\n");
  r = Get("/MedMij_Whitelist.xml?format=json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "unknown query parameter 'format'\n");
  EXPECT_TRUE(HasHeader(r, "Cache-Control: no-store"));
  // Names are echoed printable and bounded.
  r = Get("/MedMij_Whitelist.xml?" + std::string(60, 'x') + "\x01");
  EXPECT_EQ(r.body, "unknown query parameter '" + std::string(40, 'x') + "...'\n");
}

TEST_F(RouterTest, Release3ListsAtTheirOfficialNamesWithTheirOwnApiMajor) {
  for (const char* name : {"/MedMij_Zorgaanbiederslijst_release3.xml",
                           "/signed/MedMij_Zorgaanbiederslijst_release3.xml"}) {
    EXPECT_EQ(Get(std::string(name) + "?api=3").status, 200) << name;
    Reply r = Get(std::string(name) + "?api=2");
    EXPECT_EQ(r.status, 400) << name;
    EXPECT_EQ(r.body, "query parameter 'api' must be 3\n");
  }
  EXPECT_EQ(Body(Get("/MedMij_Zorgaanbiederslijst_release3.xml")),
            Strict(ListKind::kZorgaanbiederslijstRelease3));
  EXPECT_EQ(Get("/MedMij_Zorgaanbiederskoppellijst.xml?api=1").status, 200);
  EXPECT_EQ(Get("/MedMij_Zorgaanbiederskoppellijst.xml?api=3").body,
            "query parameter 'api' must be 1\n");
  EXPECT_EQ(Body(Get("/signed/MedMij_Zorgaanbiederskoppellijst.xml")),
            Signed(ListKind::kZorgaanbiederskoppellijst));
  // The release2 ZAL keeps its own major.
  EXPECT_EQ(Get("/MedMij_Zorgaanbiederslijst.xml?api=3").status, 400);
  EXPECT_EQ(Get("/lists/zorgaanbiederskoppellijst/versions").status, 200);
}

TEST_F(RouterTest, OnlyTheConfiguredListsAreServedAndReported) {
  options_.lists = ListSet();
  options_.lists.set(static_cast<size_t>(ListKind::kWhitelist));
  options_.lists.set(static_cast<size_t>(ListKind::kZorgaanbiederskoppellijst));
  EXPECT_EQ(Get("/MedMij_Whitelist.xml").status, 200);
  EXPECT_EQ(Get("/MedMij_Zorgaanbiederskoppellijst.xml").status, 200);
  for (const char* off : {"/MedMij_Zorgaanbiederslijst.xml", "/signed/MedMij_OAuthclientlist.xml",
                          "/MedMij_Zorgaanbiederslijst_release3.xml?api=3"}) {
    EXPECT_EQ(Get(off).status, 404) << off;
  }
  const std::string metrics = Get("/metrics").body;
  EXPECT_NE(metrics.find("medmij_list_volgnummer{list=\"zorgaanbiederskoppellijst\"} 3\n"),
            std::string::npos);
  EXPECT_EQ(metrics.find("list=\"zorgaanbiederslijst\""), std::string::npos) << metrics;
  json health = json::parse(Get("/healthz").body);
  EXPECT_EQ(health["lists"].size(), 2u) << health.dump();
  EXPECT_TRUE(health["lists"].contains("whitelist"));
}

TEST_F(RouterTest, ConditionalRequests) {
  const std::string etag = "\"" + Sha256Hex(Strict(ListKind::kWhitelist)) + "\"";
  Reply r = Get("/MedMij_Whitelist.xml", {{"if-none-match", etag}});
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.no_content);
  EXPECT_FALSE(r.shared_body);
  EXPECT_TRUE(HasHeader(r, "ETag: " + etag));
  // The signed form has its own tag: the strict form's does not match it.
  EXPECT_EQ(Get("/signed/MedMij_Whitelist.xml", {{"If-None-Match", etag}}).status, 200);
  EXPECT_EQ(Get("/MedMij_Whitelist.xml", {{"If-None-Match", "\"other\""}}).status, 200);
  EXPECT_EQ(
      Get("/MedMij_Whitelist.xml", {{"If-Modified-Since", "Sun, 22 Nov 2026 10:00:00 GMT"}}).status,
      304);
  EXPECT_EQ(
      Get("/MedMij_Whitelist.xml", {{"If-Modified-Since", "Sun, 22 Nov 2026 09:59:59 GMT"}}).status,
      200);
  // If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
  EXPECT_EQ(Get("/MedMij_Whitelist.xml", {{"If-None-Match", "\"other\""},
                                          {"If-Modified-Since", "Sun, 22 Nov 2026 10:00:00 GMT"}})
                .status,
            200);
}

TEST_F(RouterTest, GzipRepresentationWhenAcceptedAndPrepared) {
  // Before the gzip form is prepared: plain, yet the answer varies by Accept-Encoding.
  Reply plain = Get("/MedMij_Zorgaanbiederslijst.xml", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(Body(plain), Strict(ListKind::kZorgaanbiederslijst));
  EXPECT_TRUE(HasHeader(plain, "Vary: Accept-Encoding")) << plain.headers;
  EXPECT_EQ(plain.headers.find("Content-Encoding"), std::string::npos);

  auto snap = WithGzipRepresentations(*source_.snap_, {});
  ASSERT_NE(snap, nullptr);
  source_.snap_ = std::make_shared<Snapshot>(*snap);
  EXPECT_EQ(WithGzipRepresentations(*source_.snap_, {}), nullptr);  // nothing left to do
  const ServedList* zal = source_.snap_->list(ListKind::kZorgaanbiederslijst);
  ASSERT_NE(zal->unsigned_gzip, nullptr);
  for (const char* accept : {"gzip", "deflate, gzip;q=0.5", "*"}) {
    SCOPED_TRACE(accept);
    Reply r = Get("/MedMij_Zorgaanbiederslijst.xml", {{"Accept-Encoding", accept}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.shared_body, zal->unsigned_gzip);
    EXPECT_TRUE(HasHeader(r, "Content-Encoding: gzip")) << r.headers;
    EXPECT_TRUE(HasHeader(r, "Vary: Accept-Encoding")) << r.headers;
    // Its own strong ETag (RFC 9110 8.8.3: another representation, another tag).
    EXPECT_TRUE(HasHeader(r, "ETag: " + zal->unsigned_gzip->etag())) << r.headers;
    EXPECT_NE(zal->unsigned_gzip->etag(), zal->unsigned_body->etag());
  }
  Reply s = Get("/signed/MedMij_Zorgaanbiederslijst.xml", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(s.shared_body, zal->signed_gzip);
  for (const char* refuse : {"identity", "gzip;q=0", "br"}) {
    Reply r = Get("/MedMij_Zorgaanbiederslijst.xml", {{"Accept-Encoding", refuse}});
    EXPECT_EQ(r.shared_body, zal->unsigned_body) << refuse;
    EXPECT_EQ(r.headers.find("Content-Encoding"), std::string::npos) << refuse;
  }
  EXPECT_EQ(Get("/MedMij_Zorgaanbiederslijst.xml").shared_body, zal->unsigned_body);
  // 304 for the gzip tag, with Content-Encoding and Vary as the 200 would have them.
  Reply nm = Get("/MedMij_Zorgaanbiederslijst.xml",
                 {{"Accept-Encoding", "gzip"}, {"If-None-Match", zal->unsigned_gzip->etag()}});
  EXPECT_EQ(nm.status, 304);
  EXPECT_TRUE(HasHeader(nm, "Content-Encoding: gzip")) << nm.headers;
  EXPECT_TRUE(HasHeader(nm, "Vary: Accept-Encoding")) << nm.headers;
  // The plain tag does not match the gzip representation.
  EXPECT_EQ(Get("/MedMij_Zorgaanbiederslijst.xml",
                {{"Accept-Encoding", "gzip"}, {"If-None-Match", zal->unsigned_body->etag()}})
                .status,
            200);
}

TEST_F(RouterTest, UnpublishedListIs503WithRetryAfter) {
  source_.snap_->lists[static_cast<size_t>(ListKind::kOAuthClientList)] = nullptr;
  Reply r = Get("/MedMij_OAuthclientlist.xml");
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(HasHeader(r, "Retry-After: 5"));
  EXPECT_EQ(r.body, "no version of this list has been published yet\n");
}

TEST_F(RouterTest, OtherMethodsOnKnownPathsAre405AndOnUnknownPaths404) {
  for (const char* path :
       {"/MedMij_Whitelist.xml", "/signed/MedMij_Whitelist.xml", "/lists/whitelist/versions",
        "/lists/whitelist/versions/3.xml", "/participants", "/participants/acme", "/healthz",
        "/metrics", "/", "/lijsten", "/deelnemers/acme", "/static/register.css"}) {
    for (Method m : {Method::kPost, Method::kPut, Method::kDelete, Method::kPatch, Method::kOptions,
                     Method::kOther}) {
      Reply r = Get(path, {}, m);
      EXPECT_EQ(r.status, 405) << path;
      EXPECT_TRUE(HasHeader(r, "Allow: GET, HEAD")) << path;
    }
  }
  for (const char* path : {"/nope", "/lists/nolist/versions", "/lists/whitelist",
                           "/MedMij_Whitelist.xml.bak", "/audit/journal"}) {
    EXPECT_EQ(Get(path, {}, Method::kGet).status, 404) << path;
    EXPECT_EQ(Get(path, {}, Method::kPost).status, 404) << path;
  }
}

TEST_F(RouterTest, VersionIndexAndArchivedVersions) {
  Reply r = Get("/lists/whitelist/versions");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(json::parse(r.body)["versions"][0]["volgnummer"], 3);
  EXPECT_TRUE(HasHeader(r, "Cache-Control: public, max-age=0, must-revalidate"));
  EXPECT_EQ(Get("/lists/whitelist/versions?x=1").status, 400);

  source_.snap_->lists[static_cast<size_t>(ListKind::kWhitelist)] = nullptr;
  r = Get("/lists/whitelist/versions");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"list":"whitelist","versions":[]})"));
  EXPECT_TRUE(HasHeader(r, "Cache-Control: no-cache"));

  r = Get("/lists/zorgaanbiederslijst/versions/3.xml");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Body(r), "archived zorgaanbiederslijst 3 signed");
  EXPECT_TRUE(HasHeader(r, "Cache-Control: public, max-age=31536000, immutable"));
  EXPECT_EQ(r.headers.find("Last-Modified"), std::string::npos);
  const std::string etag = "\"" + Sha256Hex("archived zorgaanbiederslijst 3 signed") + "\"";
  EXPECT_EQ(Get("/lists/zorgaanbiederslijst/versions/3.xml", {{"If-None-Match", etag}}).status,
            304);
  EXPECT_EQ(Body(Get("/lists/zorgaanbiederslijst/versions/3.xml?signed=false")),
            "archived zorgaanbiederslijst 3 strict");
  EXPECT_EQ(Get("/lists/zorgaanbiederslijst/versions/3.xml?signed=no").status, 400);
  EXPECT_EQ(Get("/lists/zorgaanbiederslijst/versions/3.xml?api=2").status, 400);
  for (const char* bad : {"/lists/whitelist/versions/4.xml", "/lists/whitelist/versions/03.xml",
                          "/lists/whitelist/versions/0.xml", "/lists/whitelist/versions/x.xml",
                          "/lists/whitelist/versions/.xml", "/lists/whitelist/versions/3",
                          "/lists/whitelist/versions/99999999999999999999.xml",
                          "/lists/whitelist/versions/3.xml/x"}) {
    EXPECT_EQ(Get(bad).status, 404) << bad;
  }
  source_.archive_error_ = Status::Corruption("archived version without bytes: /secret/path");
  r = Get("/lists/whitelist/versions/3.xml");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "internal error\n");
}

TEST_F(RouterTest, Participants) {
  Reply r = Get("/participants");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["participants"][0]["id"], "acme");
  r = Get("/participants/acme");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["id"], "acme");
  r = Get("/participants/other");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "no such participant\n");
  EXPECT_EQ(Get("/participants?all=1").status, 400);
  EXPECT_EQ(Get("/participants/acme?x").status, 400);
  EXPECT_EQ(Get("/participantsx").status, 404);
}

TEST_F(RouterTest, HealthzSaysWhyItFails) {
  Reply r = Get("/healthz");
  EXPECT_EQ(r.status, 200);
  json j = json::parse(r.body);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["signing"], "ok");
  EXPECT_EQ(j["lists"]["whitelist"]["volgnummer"], 3);
  EXPECT_EQ(j["last_publication"], FormatTime(kPublished));
  EXPECT_EQ(Get("/healthz?verbose=1").status, 400);

  source_.signer_ = Status::Refused("certificate expired");
  j = json::parse(Get("/healthz").body);
  EXPECT_EQ(j["status"], "failing");
  EXPECT_EQ(j["signing"], "unusable");
  EXPECT_EQ(Get("/healthz").status, 503);

  source_.signer_ = Status::Ok();
  source_.snap_->last_ok = false;
  source_.snap_->list_status[static_cast<size_t>(ListKind::kWhitelist)] = {false, 2};
  r = Get("/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["lists"]["whitelist"]["failures"], 2);

  source_.snap_ = std::make_shared<Snapshot>();  // nothing attempted yet
  r = Get("/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(json::parse(r.body)["last_publication"].is_null());
}

TEST_F(RouterTest, HealthzAndMetricsReportAMapNearlyFullWellBeforeItIsFull) {
  http::StorageReport storage;
  storage.map_size_bytes = 1000;
  storage.map_used_bytes = 799;
  storage.versions_recoded = 12;
  storage.bytes_saved = 345;
  source_.storage_ = storage;
  Reply ok = Get("/healthz");
  EXPECT_EQ(ok.status, 200) << Body(ok);
  json j = json::parse(Body(ok));
  EXPECT_EQ(j["storage"]["status"], "ok");
  EXPECT_EQ(j["storage"]["map_used_bytes"], 799);
  EXPECT_EQ(j["storage"]["map_size_bytes"], 1000);
  EXPECT_EQ(j["storage"]["archive_compaction"], "ok");
  const std::string metrics = Body(Get("/metrics"));
  EXPECT_NE(metrics.find("\nmedmij_store_map_used_bytes 799\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\nmedmij_store_map_size_bytes 1000\n"), std::string::npos);
  EXPECT_NE(metrics.find("\nmedmij_archive_versions_recoded_total 12\n"), std::string::npos);
  EXPECT_NE(metrics.find("\nmedmij_archive_bytes_saved_total 345\n"), std::string::npos);

  source_.storage_->map_used_bytes = 800;  // 80 %: nearly full, writes still succeed
  source_.storage_->compaction_error = "archive: whitelist version 3: stored bytes differ";
  Reply full = Get("/healthz");
  EXPECT_EQ(full.status, 503);
  j = json::parse(Body(full));
  EXPECT_EQ(j["status"], "failing");
  EXPECT_EQ(j["storage"]["status"], "nearly full");
  EXPECT_EQ(j["storage"]["reason"],
            "the LMDB map is 80% used; writes (commits and publications) fail once it is full");
  EXPECT_EQ(j["storage"]["archive_compaction"],
            "failing: archive: whitelist version 3: stored bytes differ");

  source_.storage_.reset();  // unknown: not a reason to fail
  j = json::parse(Body(Get("/healthz")));
  EXPECT_EQ(j["storage"]["status"], "unknown");
  EXPECT_EQ(j["status"], "ok");
}

TEST_F(RouterTest, HealthzAndMetricsRaiseTheAlarmWhenTheBackgroundVerifierDisagrees) {
  json j = json::parse(Body(Get("/healthz")));
  EXPECT_EQ(j["background_verification"]["status"], "off");

  http::VerificationReport report;
  report.on = true;
  report.anchor = "[signing] trust_anchor ca.pem (CN=Root)";
  for (ListKind k : kAllLists) report.lists[static_cast<size_t>(k)].volgnummer = 3;
  report.checked_total = 6;
  source_.verification_ = report;
  Reply ok = Get("/healthz");
  EXPECT_EQ(ok.status, 200) << Body(ok);
  j = json::parse(Body(ok));
  EXPECT_EQ(j["background_verification"]["status"], "ok");
  EXPECT_EQ(j["background_verification"]["anchor"], "[signing] trust_anchor ca.pem (CN=Root)");
  EXPECT_EQ(j["background_verification"]["lists"]["whitelist"]["volgnummer"], 3);
  std::string metrics = Body(Get("/metrics"));
  EXPECT_NE(metrics.find("\nmedmij_background_verifications_total 6\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("\nmedmij_list_background_verified{list=\"whitelist\"} 1\n"),
            std::string::npos);

  auto& wl = source_.verification_->lists[static_cast<size_t>(ListKind::kWhitelist)];
  wl.ok = false;
  wl.reason = "signature: digest mismatch: the list was changed after signing";
  source_.verification_->disagreements_total = 1;
  Reply bad = Get("/healthz");
  EXPECT_EQ(bad.status, 503);
  j = json::parse(Body(bad));
  EXPECT_EQ(j["status"], "failing");
  EXPECT_EQ(j["background_verification"]["status"], "disagrees");
  EXPECT_EQ(j["background_verification"]["lists"]["whitelist"]["reason"],
            "signature: digest mismatch: the list was changed after signing");
  metrics = Body(Get("/metrics"));
  EXPECT_NE(metrics.find("\nmedmij_background_verification_disagreements_total 1\n"),
            std::string::npos);
  EXPECT_NE(metrics.find("\nmedmij_list_background_verified{list=\"whitelist\"} 0\n"),
            std::string::npos);

  source_.verification_ = http::VerificationReport{};
  source_.verification_->off_reason = "the anchor is not a self-signed root";
  j = json::parse(Body(Get("/healthz")));
  EXPECT_EQ(j["background_verification"]["status"], "off");
  EXPECT_EQ(j["background_verification"]["reason"], "the anchor is not a self-signed root");
}

TEST_F(RouterTest, HealthzAndMetricsWarnWhileServedCertificatesNearTheirExpiry) {
  const auto day = std::chrono::hours(24);
  // Without certificate information (nothing known) there is nothing to warn about.
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/metrics").body.find("medmij_list_certificate_renewal_due{"), std::string::npos);

  source_.CertificatesExpireAt(kNow + 30 * day + std::chrono::seconds(1));
  source_.signer_not_after_ = kNow + 400 * day;
  Reply r = Get("/healthz");
  EXPECT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["served_certificate"]["status"], "ok");
  EXPECT_FALSE(j["served_certificate"].contains("reason"));
  EXPECT_EQ(j["lists"]["whitelist"]["certificate_not_after"],
            FormatTime(kNow + 30 * day + std::chrono::seconds(1)));
  std::string m = Get("/metrics").body;
  for (const char* line : {"medmij_list_certificate_renewal_due{list=\"whitelist\"} 0\n",
                           "medmij_list_certificate_seconds_to_expiry{list=\"whitelist\"} "
                           "2592001.000\n",
                           "medmij_signing_certificate_seconds_to_expiry 34560000.000\n"}) {
    EXPECT_NE(m.find(line), std::string::npos) << line << m;
  }

  // Within renew_before_days (30 by default) of the served certificate's notAfter: 503.
  source_.CertificatesExpireAt(kNow + 30 * day);
  r = Get("/healthz");
  EXPECT_EQ(r.status, 503);
  j = json::parse(r.body);
  EXPECT_EQ(j["status"], "failing");
  EXPECT_EQ(j["signing"], "ok");  // the configured signer can still sign: it is the same one
  EXPECT_EQ(j["served_certificate"]["status"], "renewal due");
  EXPECT_EQ(j["served_certificate"]["not_after"], FormatTime(kNow + 30 * day));
  const std::string reason = j["served_certificate"]["reason"];
  EXPECT_NE(reason.find("whitelist"), std::string::npos) << reason;
  EXPECT_NE(reason.find("CN=Lists 2026"), std::string::npos) << reason;
  EXPECT_NE(reason.find("renew_before_days = 30"), std::string::npos) << reason;
  EXPECT_EQ(reason.find('\n'), std::string::npos);
  m = Get("/metrics").body;
  EXPECT_NE(m.find("medmij_list_certificate_renewal_due{list=\"zorgaanbiederslijst\"} 1\n"),
            std::string::npos)
      << m;

  // The window is the configured one.
  options_.renew_before = std::chrono::hours(24 * 29);
  EXPECT_EQ(Get("/healthz").status, 200);
  options_.renew_before = std::chrono::hours(0);
  EXPECT_EQ(Get("/healthz").status, 200);

  // Expired: 503 whatever the window.
  source_.CertificatesExpireAt(kNow - std::chrono::seconds(1));
  r = Get("/healthz");
  EXPECT_EQ(r.status, 503);
  j = json::parse(r.body);
  EXPECT_EQ(j["served_certificate"]["status"], "expired");
  EXPECT_NE(std::string(j["served_certificate"]["reason"]).find("expired at"), std::string::npos);
  EXPECT_NE(
      Get("/metrics")
          .body.find("medmij_list_certificate_seconds_to_expiry{list=\"whitelist\"} -1.000\n"),
      std::string::npos);

  // Only the published lists count.
  source_.CertificatesExpireAt(kNow + 400 * day);
  auto wl = std::make_shared<ServedList>(*source_.snap_->lists[0]);
  wl->certificate_not_after = kNow;
  source_.snap_->lists[0] = wl;
  EXPECT_EQ(Get("/healthz").status, 503);
  options_.lists.reset(static_cast<size_t>(ListKind::kWhitelist));
  EXPECT_EQ(Get("/healthz").status, 200);
}

TEST_F(RouterTest, MetricsInPrometheusTextFormat) {
  metrics_.by_code[200] = 11;
  metrics_.by_code[404] = 2;
  Reply r = Get("/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  for (const char* line :
       {"medmij_publications_total 7\n", "medmij_http_requests_total{code=\"200\"} 11\n",
        "medmij_http_requests_total{code=\"404\"} 2\n",
        "medmij_list_volgnummer{list=\"zorgaanbiederslijst\"} 3\n",
        "medmij_list_publication_ok{list=\"whitelist\"} 1\n",
        "medmij_auditor_auth_failures_total 0\n",
        "medmij_seconds_since_last_publication 29.750\n"}) {
    EXPECT_NE(r.body.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(r.body.find("code=\"500\""), std::string::npos);
  EXPECT_EQ(Get("/metrics?x=1").status, 400);
}

TEST_F(RouterTest, AuditPathsGoToTheAuditHandlerWhenThereIsOne) {
  EXPECT_EQ(Get("/audit").status, 404);
  EXPECT_EQ(Get("/audit/journal?from=1", {}, Method::kPost).status, 404);
  FakeAudit audit;
  audit_ = &audit;
  Reply r = Get("/audit/journal?from=1", {}, Method::kPost);
  EXPECT_EQ(r.body, "audit\n");
  EXPECT_EQ(audit.seen_path, "/journal");
  EXPECT_EQ(audit.seen_method, Method::kPost);
  EXPECT_EQ(audit.seen_now, kNow);
  Get("/audit");
  EXPECT_EQ(audit.seen_path, "");
  EXPECT_EQ(Get("/auditx").status, 404);
  EXPECT_NE(Get("/metrics").body.find("medmij_auditor_auth_failures_total 5\n"), std::string::npos);
}

TEST_F(RouterTest, MalformedAndOversizedTargets) {
  for (const char* bad :
       {"/%2e%2e/etc/passwd", "/lists/../x", "/lists/./x", "//x", "/a\\b", "relative", "/\x01"}) {
    Reply r = Get(bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_TRUE(HasHeader(r, "Cache-Control: no-store"));
  }
  options_.max_target_bytes = 30;
  EXPECT_EQ(Get("/" + std::string(30, 'a')).status, 414);
  EXPECT_EQ(Get("/" + std::string(29, 'a')).status, 404);
}

TEST_F(RouterTest, ExceptionsBecomeAGeneric500) {
  source_.throw_ = true;
  Reply r = Get("/MedMij_Whitelist.xml");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "internal error\n");
}

// /log/tile/...: the tile the path names is asked of the source; full tiles are immutable,
// partial ones brief; entry bundles and non-canonical paths are 404 with the rule.
TEST_F(RouterTest, LogTilesAreServedAtTheirC2spPaths) {
  source_.log_tiles_["tile/0/000"] = std::string(8192, 'a');
  source_.log_tiles_["tile/0/x001/234.p/3"] = std::string(96, 'b');
  source_.log_tiles_["tile/1/000"] = "corrupt";
  Reply full = Get("/log/tile/0/000");
  EXPECT_EQ(full.status, 200);
  EXPECT_EQ(full.content_type, "application/octet-stream");
  EXPECT_EQ(Body(full), std::string(8192, 'a'));
  EXPECT_TRUE(HasHeader(full, "Cache-Control: public, max-age=31536000, immutable"))
      << full.headers;
  ASSERT_TRUE(full.shared_body);
  const std::string etag = full.shared_body->etag();
  EXPECT_TRUE(HasHeader(full, "ETag: " + etag));
  Reply cached = Get("/log/tile/0/000", {{"If-None-Match", etag}});
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.no_content);
  EXPECT_EQ(Get("/log/tile/0/000", {}, Method::kHead).status, 200);

  Reply partial = Get("/log/tile/0/x001/234.p/3");
  EXPECT_EQ(partial.status, 200);
  EXPECT_EQ(Body(partial), std::string(96, 'b'));
  EXPECT_TRUE(HasHeader(partial, "Cache-Control: public, max-age=5")) << partial.headers;

  Reply absent = Get("/log/tile/0/001");
  EXPECT_EQ(absent.status, 404);
  EXPECT_EQ(absent.body, "no such tile in the latest checkpoint's tree\n");
  Reply corrupt = Get("/log/tile/1/000");
  EXPECT_EQ(corrupt.status, 500);
  EXPECT_EQ(corrupt.body, "internal error\n");
  for (const char* bad :
       {"/log/tile/0/1234", "/log/tile/0/x000/001", "/log/tile/0/000.p/256", "/log/tile/0/000.p/0",
        "/log/tile/64/000", "/log/tile/entries/000", "/log/tile/entries/000.p/3", "/log/tile/"}) {
    Reply r = Get(bad);
    EXPECT_EQ(r.status, 404) << bad;
    EXPECT_EQ(r.body, std::string_view(bad).find("entries") == std::string_view::npos
                          ? std::string(tiles::kNotATile) + "\n"
                          : "entry bundles are served to auditors only (/audit/log/)\n")
        << bad;
  }
  EXPECT_EQ(Get("/log/tile/0/000", {}, Method::kPost).status, 405);
  EXPECT_EQ(Get("/log/tile/0/000?x=1").status, 400);
}

// The public register's pages (register_pages.h): prepared bytes with the page headers, a search
// rendered per request, the HTML 404 page; 503 before the first publication rendered them.
TEST_F(RouterTest, RegisterPages) {
  EXPECT_EQ(Get("/").status, 503);
  web::PublicParticipant p;
  p.id = "acme";
  p.legal_name = "Acme B.V.";
  p.roles = {Role::kDvp};
  p.status = Lifecycle::kActive;
  p.good_standing = true;
  source_.snap_->pages = PreparePages(web::MakeRegisterView({p}, {}, ""));
  for (const char* path : {"/", "/lijsten", "/deelnemers/acme", "/static/register.css"}) {
    Reply r = Get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_TRUE(HasHeader(r, "ETag: \"" + Sha256Hex(Body(r)) + "\"")) << path;
    EXPECT_TRUE(r.headers.find("Content-Security-Policy: default-src 'self';") !=
                std::string::npos);
    EXPECT_TRUE(HasHeader(r, "Referrer-Policy: no-referrer"));
    Reply again = Get(path, {{"If-None-Match", "\"" + Sha256Hex(Body(r)) + "\""}});
    EXPECT_EQ(again.status, 304) << path;
    EXPECT_TRUE(again.no_content);
  }
  EXPECT_EQ(Get("/").content_type, "text/html; charset=utf-8");
  EXPECT_NE(Body(Get("/deelnemers/acme")).find("<h1>Acme B.V.</h1>"), std::string::npos);
  EXPECT_NE(Body(Get("/?q=acm&role=dvp")).find("/deelnemers/acme"), std::string::npos);
  EXPECT_EQ(Body(Get("/?q=zzz")).find("/deelnemers/acme"), std::string::npos);
  EXPECT_EQ(Get("/?role=x").status, 400);
  EXPECT_EQ(Get("/lijsten?x=1").status, 400);
  Reply missing = Get("/deelnemers/nobody");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(Body(missing).find("Niet gevonden"), std::string::npos);
  EXPECT_EQ(Body(Get("/nope")), "not found\n");
  EXPECT_NE(Body(Get("/nope", {{"Accept", "text/html"}})).find("Niet gevonden"), std::string::npos);
}

}  // namespace
}  // namespace medmij::http
