#include "registry/lists/lists.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "tests/unit/lists/test_state.h"

namespace medmij::lists {
namespace {

using medmij::testing::AddClient;
using medmij::testing::AddNode;
using medmij::testing::AddProvider;
using medmij::testing::By;
using medmij::testing::GoodParticipant;
using medmij::testing::kT0;
using medmij::testing::Qualify;
using medmij::testing::ReferenceXsd;
using medmij::testing::SmallNetwork;
using medmij::testing::XmllintSchema;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Erases every record `participant` contributes to a list, as the expected outcome of excluding
// it.
RegistryState Without(RegistryState s, const std::string& participant) {
  std::erase_if(s.nodes, [&](const auto& kv) { return kv.second.participant == participant; });
  std::erase_if(s.oauth_clients,
                [&](const auto& kv) { return kv.second.participant == participant; });
  std::erase_if(s.providers, [&](const auto& kv) { return kv.second.dva == participant; });
  return s;
}

void ExpectValidAgainstReference(ListKind list, const std::string& doc) {
  std::string out;
  EXPECT_EQ(XmllintSchema(ReferenceXsd(list), doc, &out), 0)
      << ToString(list) << ": " << out << "\n"
      << doc.substr(0, 2000);
}

TEST(ListsRender, WhitelistHasTheReferenceLayout) {
  RegistryState s;
  s.participants["pgo-one"] = GoodParticipant("pgo-one", {Role::kDvp});
  AddNode(s, "b.pgo-one.nl", "pgo-one");
  AddNode(s, "a.pgo-one.nl", "pgo-one");
  ListContent c = Derive(ListKind::kWhitelist, s, kT0);
  EXPECT_EQ(c.entry_count, 2u);
  EXPECT_EQ(Render(c, kT0, 7),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Whitelist xmlns=\"xmlns://afsprakenstelsel.medmij.nl/whitelist/release2/\">\n"
            "    <Tijdstempel>2026-11-22T10:00:00Z</Tijdstempel>\n"
            "    <Volgnummer>7</Volgnummer>\n"
            "    <MedMijNodes>\n"
            "        <MedMijNode>\n"
            "            <Hostname>a.pgo-one.nl</Hostname>\n"
            "        </MedMijNode>\n"
            "        <MedMijNode>\n"
            "            <Hostname>b.pgo-one.nl</Hostname>\n"
            "        </MedMijNode>\n"
            "    </MedMijNodes>\n"
            "</Whitelist>\n");
}

TEST(ListsRender, TijdstempelHasWholeSeconds) {
  // A publication time with milliseconds is written as its second, never with a fraction.
  ListContent c = Derive(ListKind::kGegevensdienstnamenlijst, SmallNetwork(), kT0);
  std::string doc = Render(c, kT0 + Millis(789), 1);
  EXPECT_NE(doc.find("<Tijdstempel>2026-11-22T10:00:00Z</Tijdstempel>"), std::string::npos) << doc;
}

TEST(ListsRender, EmptyListsValidateAgainstReferenceXsds) {
  RegistryState empty;
  for (ListKind list : kAllLists) {
    ListContent c = Derive(list, empty, kT0);
    EXPECT_EQ(c.entry_count, 0u);
    EXPECT_TRUE(c.entries_xml.empty());
    ExpectValidAgainstReference(list, Render(c, kT0, 1));
  }
}

TEST(ListsRender, FullListsValidateAgainstReferenceXsds) {
  RegistryState s = SmallNetwork();
  for (ListKind list : kAllLists) {
    ListContent c = Derive(list, s, kT0);
    EXPECT_GT(c.entry_count, 0u) << ToString(list);
    ExpectValidAgainstReference(list, Render(c, kT0, 123456));
  }
}

TEST(ListsRender, ZorgaanbiederslijstStructure) {
  ListContent c = Derive(ListKind::kZorgaanbiederslijst, SmallNetwork(), kT0);
  EXPECT_EQ(c.entry_count, 3u);
  const std::string& x = c.entries_xml;
  EXPECT_TRUE(Contains(x,
                       "        <Zorgaanbieder>\n"
                       "            <Zorgaanbiedernaam>huisartsenpost@medmij</Zorgaanbiedernaam>\n"
                       "            <Gegevensdiensten>\n"
                       "                <Gegevensdienst>\n"
                       "                    <GegevensdienstId>1</GegevensdienstId>\n"
                       "                    <AuthorizationEndpoint>\n"
                       "                        <AuthorizationEndpointuri>https://"
                       "node.xis-two.net/oauth/authorize</AuthorizationEndpointuri>\n"
                       "                    </AuthorizationEndpoint>\n"
                       "                    <TokenEndpoint>\n"
                       "                        <TokenEndpointuri>https://node.xis-two.net:8443/"
                       "oauth/token</TokenEndpointuri>\n"
                       "                    </TokenEndpoint>\n"
                       "                    <Systeemrollen>\n"
                       "                        <Systeemrol>\n"
                       "                            <Systeemrolcode>MM-1.0.0-1-FHIR</"
                       "Systeemrolcode>\n"
                       "                            <ResourceEndpoint>\n"
                       "                                <ResourceEndpointuri>https://"
                       "node.xis-two.net/fhir/1</ResourceEndpointuri>\n"
                       "                            </ResourceEndpoint>\n"
                       "                        </Systeemrol>\n"
                       "                    </Systeemrollen>\n"
                       "                </Gegevensdienst>\n"))
      << x;
}

TEST(ListsRender, RenderTakingEntriesEqualsRenderAndKeepsTheDigest) {
  RegistryState s = SmallNetwork();
  RegistryState empty;
  for (const RegistryState* state : {&s, &empty}) {
    for (ListKind list : kAllLists) {
      ListContent c = Derive(list, *state, kT0);
      const std::string expected = Render(c, kT0, 42);
      const std::string digest = c.digest;
      EXPECT_EQ(RenderTakingEntries(c, kT0, 42), expected) << ToString(list);
      EXPECT_TRUE(c.entries_xml.empty());
      EXPECT_EQ(c.digest, digest);
    }
  }
}

TEST(ListsRender, TextIsEscaped) {
  RegistryState s = SmallNetwork();
  s.oauth_clients["app.pgo-two.nl"].organisation_name = "A<b> & \"c\"";
  ListContent c = Derive(ListKind::kOAuthClientList, s, kT0);
  EXPECT_TRUE(Contains(c.entries_xml,
                       "<OAuthclientOrganisatienaam>A&lt;b&gt; &amp; \"c\"</"
                       "OAuthclientOrganisatienaam>"))
      << c.entries_xml;
  EXPECT_TRUE(Contains(c.entries_xml, "PGO One &amp; Co"));
  ExpectValidAgainstReference(ListKind::kOAuthClientList, Render(c, kT0, 1));
}

TEST(ListsDerive, StableOrderAndDigest) {
  RegistryState s = SmallNetwork();
  // Roles given out of order come out by code.
  auto& svc = s.providers["umcharderwijk@medmij"].services["1"];
  svc.roles = {{"ZZ-ROLE", "https://node1.xis-one.net/z"},
               {"AA-ROLE", "https://node1.xis-one.net/a"}};
  for (ListKind list : kAllLists) {
    ListContent a = Derive(list, s, kT0);
    ListContent b = Derive(list, s, kT0 + Millis(1));
    EXPECT_EQ(a.entries_xml, b.entries_xml) << ToString(list);
    EXPECT_EQ(a.digest, b.digest);
    EXPECT_EQ(a.digest, Sha256Hex(a.entries_xml));
    EXPECT_EQ(a.digest.size(), 64u);
    // The digest covers only the entries: Tijdstempel and Volgnummer do not enter it.
    EXPECT_NE(Render(a, kT0, 1), Render(b, kT0 + Days(1), 2));
  }
  ListContent zal = Derive(ListKind::kZorgaanbiederslijst, s, kT0);
  EXPECT_LT(zal.entries_xml.find("AA-ROLE"), zal.entries_xml.find("ZZ-ROLE"));
  EXPECT_LT(zal.entries_xml.find("huisartsenpost@medmij"),
            zal.entries_xml.find("umcharderwijk@medmij"));
  EXPECT_LT(zal.entries_xml.find("umcharderwijk@medmij"),
            zal.entries_xml.find("ziekenhuisoost@medmij"));
  ListContent wl = Derive(ListKind::kWhitelist, s, kT0);
  EXPECT_LT(wl.entries_xml.find("medmij.pgo-one.nl"), wl.entries_xml.find("node.xis-two.net"));
}

TEST(ListsDerive, ContentChangeChangesDigest) {
  RegistryState s = SmallNetwork();
  ListContent before = Derive(ListKind::kWhitelist, s, kT0);
  AddNode(s, "node3.xis-one.net", "xis-one");
  ListContent after = Derive(ListKind::kWhitelist, s, kT0);
  EXPECT_NE(before.digest, after.digest);
  EXPECT_EQ(after.entry_count, before.entry_count + 1);
  // The other lists do not see a new node.
  EXPECT_EQ(Derive(ListKind::kZorgaanbiederslijst, SmallNetwork(), kT0).digest,
            Derive(ListKind::kZorgaanbiederslijst, s, kT0).digest);
}

struct Exclusion {
  const char* name;
  std::function<void(Participant&)> apply;
};

// Each reason a participant is not in good standing removes exactly its entries from every list.
TEST(ListsDerive, EachExclusionReasonRemovesExactlyThatParticipant) {
  const std::vector<Exclusion> exclusions = {
      {"suspended", [](Participant& p) { p.status = Lifecycle::kSuspended; }},
      {"terminated", [](Participant& p) { p.status = Lifecycle::kTerminated; }},
      {"candidate", [](Participant& p) { p.status = Lifecycle::kCandidate; }},
      {"label withdrawn",
       [](Participant& p) {
         p.labels.push_back({false, By(kT0 - Days(1))});
       }},
      {"never labelled", [](Participant& p) { p.labels.clear(); }},
      {"certificate expired",
       [](Participant& p) { p.certificates.back().valid_until = kT0 - Days(1); }},
      {"certificate not accredited",
       [](Participant& p) { p.certificates.back().accredited = false; }},
      {"certificate not registered",
       [](Participant& p) { p.certificates.back().registered = false; }},
      {"audit statement stale",
       [](Participant& p) { p.audit_statements.back().date = kT0 - Days(400); }},
      {"audit statement nonconform",
       [](Participant& p) { p.audit_statements.back().outcome = AuditOutcome::kNonconform; }},
  };
  for (const char* who : {"xis-one", "pgo-two"}) {
    for (const Exclusion& e : exclusions) {
      RegistryState s = SmallNetwork();
      e.apply(s.participants[who]);
      RegistryState expected = Without(SmallNetwork(), who);
      for (ListKind list :
           {ListKind::kWhitelist, ListKind::kOAuthClientList, ListKind::kZorgaanbiederslijst}) {
        ListContent got = Derive(list, s, kT0);
        ListContent want = Derive(list, expected, kT0);
        EXPECT_EQ(got.entries_xml, want.entries_xml)
            << who << " / " << e.name << " / " << ToString(list);
        // And the exclusion removed something where the participant had entries.
        ListContent all = Derive(list, SmallNetwork(), kT0);
        if (all.entry_count != want.entry_count) {
          EXPECT_NE(got.digest, all.digest);
        }
      }
      // The catalogue does not depend on standing.
      EXPECT_EQ(Derive(ListKind::kGegevensdienstnamenlijst, s, kT0).digest,
                Derive(ListKind::kGegevensdienstnamenlijst, SmallNetwork(), kT0).digest);
    }
  }
}

TEST(ListsDerive, CertificateLapsingBetweenPublicationsLeavesTheLists) {
  RegistryState s = SmallNetwork();
  Time lapse = kT0 + Days(10);
  s.participants["xis-two"].certificates.back().valid_until = lapse;
  ListContent t1 = Derive(ListKind::kZorgaanbiederslijst, s, lapse - Millis(1));
  ListContent t2 = Derive(ListKind::kZorgaanbiederslijst, s, lapse);
  EXPECT_TRUE(Contains(t1.entries_xml, "huisartsenpost@medmij"));
  EXPECT_FALSE(Contains(t2.entries_xml, "huisartsenpost@medmij"));
  EXPECT_TRUE(Contains(t2.entries_xml, "umcharderwijk@medmij"));
  EXPECT_FALSE(Contains(Derive(ListKind::kWhitelist, s, lapse).entries_xml, "node.xis-two.net"));
}

TEST(ListsDerive, OnlyQualifiedServicesArePublished) {
  RegistryState s = SmallNetwork();
  Participant& dva = s.participants["xis-one"];
  dva.qualifications.clear();
  Qualify(dva, "4");
  Qualify(dva, "2");
  Qualify(dva, "2", /*passed=*/false);  // withdrawn later
  ListContent c = Derive(ListKind::kZorgaanbiederslijst, s, kT0);
  // umcharderwijk offers 1 and 4: only 4 remains.
  size_t um = c.entries_xml.find("umcharderwijk@medmij");
  ASSERT_NE(um, std::string::npos);
  size_t next = c.entries_xml.find("</Zorgaanbieder>", um);
  std::string entry = c.entries_xml.substr(um, next - um);
  EXPECT_TRUE(Contains(entry, "<GegevensdienstId>4</GegevensdienstId>"));
  EXPECT_FALSE(Contains(entry, "<GegevensdienstId>1</GegevensdienstId>"));
  // ziekenhuisoost offers only 2, whose qualification was withdrawn: omitted entirely.
  EXPECT_FALSE(Contains(c.entries_xml, "ziekenhuisoost@medmij"));
  EXPECT_EQ(c.entry_count, 2u);
  ExpectValidAgainstReference(ListKind::kZorgaanbiederslijst, Render(c, kT0, 1));
}

TEST(ListsDerive, RoleMismatchKeepsEntriesOff) {
  RegistryState s = SmallNetwork();
  // An OAuth client held by a participant that is not (or no longer) a DVP is not published,
  // nor a provider served by a participant that is not a DVA.
  AddClient(s, "client.xis-one.net", "xis-one", "Not a PGO");
  AddProvider(s, "verkeerd@medmij", "pgo-one", "medmij.pgo-one.nl", {"1"});
  Qualify(s.participants["pgo-one"], "1");
  EXPECT_FALSE(Contains(Derive(ListKind::kOAuthClientList, s, kT0).entries_xml, "client.xis-one"));
  EXPECT_FALSE(
      Contains(Derive(ListKind::kZorgaanbiederslijst, s, kT0).entries_xml, "verkeerd@medmij"));
}

TEST(ListsDiff, ReportsAddedRemovedChanged) {
  RegistryState a = SmallNetwork();
  RegistryState b = a;
  b.providers.erase("ziekenhuisoost@medmij");
  AddProvider(b, "nieuwkliniek@medmij", "xis-two", "node.xis-two.net", {"3"});
  b.providers["umcharderwijk@medmij"].services["4"].token_uri =
      "https://node2.xis-one.net/oauth/token";
  std::string xa = Render(Derive(ListKind::kZorgaanbiederslijst, a, kT0), kT0, 4);
  std::string xb = Render(Derive(ListKind::kZorgaanbiederslijst, b, kT0), kT0, 5);
  auto d = Diff(ListKind::kZorgaanbiederslijst, xa, xb);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->volgnummer_a, 4u);
  EXPECT_EQ(d->volgnummer_b, 5u);
  EXPECT_EQ(d->added, std::vector<std::string>{"nieuwkliniek@medmij"});
  EXPECT_EQ(d->removed, std::vector<std::string>{"ziekenhuisoost@medmij"});
  EXPECT_EQ(d->changed, std::vector<std::string>{"umcharderwijk@medmij"});

  auto same = Diff(ListKind::kZorgaanbiederslijst, xa, xa);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->added.empty() && same->removed.empty() && same->changed.empty());
}

TEST(ListsDiff, KeysPerList) {
  RegistryState a = SmallNetwork();
  RegistryState b = a;
  b.services["2"].display_name = "Medicatie-overzichten";
  b.oauth_clients.erase("app.pgo-two.nl");
  AddNode(b, "x.pgo-two.nl", "pgo-two");
  auto gnl = Diff(ListKind::kGegevensdienstnamenlijst,
                  Render(Derive(ListKind::kGegevensdienstnamenlijst, a, kT0), kT0, 1),
                  Render(Derive(ListKind::kGegevensdienstnamenlijst, b, kT0), kT0, 2));
  ASSERT_TRUE(gnl.ok());
  EXPECT_EQ(gnl->changed, std::vector<std::string>{"2"});
  auto ocl =
      Diff(ListKind::kOAuthClientList, Render(Derive(ListKind::kOAuthClientList, a, kT0), kT0, 1),
           Render(Derive(ListKind::kOAuthClientList, b, kT0), kT0, 2));
  ASSERT_TRUE(ocl.ok());
  EXPECT_EQ(ocl->removed, std::vector<std::string>{"app.pgo-two.nl"});
  auto wl = Diff(ListKind::kWhitelist, Render(Derive(ListKind::kWhitelist, a, kT0), kT0, 1),
                 Render(Derive(ListKind::kWhitelist, b, kT0), kT0, 2));
  ASSERT_TRUE(wl.ok());
  EXPECT_EQ(wl->added, std::vector<std::string>{"x.pgo-two.nl"});
}

TEST(ListsEntryKeys, AreTheSortedKeysOfTheDocument) {
  auto keys = EntryKeys(ListKind::kWhitelist,
                        Render(Derive(ListKind::kWhitelist, SmallNetwork(), kT0), kT0, 1));
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  EXPECT_EQ(*keys,
            (std::vector<std::string>{"medmij.pgo-one.nl", "medmij.pgo-two.nl", "node.xis-two.net",
                                      "node1.xis-one.net", "node2.xis-one.net"}));
  auto bad = EntryKeys(ListKind::kWhitelist, "<Whitelist");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(Contains(bad.status().message(), "list document: not well-formed"))
      << bad.status().message();
}

TEST(ListsDiff, RefusesBadDocuments) {
  std::string good = Render(Derive(ListKind::kWhitelist, SmallNetwork(), kT0), kT0, 1);
  // DOCTYPE (with an external entity) is refused before anything is read from it.
  std::string xxe =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE Whitelist [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
      "<Whitelist xmlns=\"xmlns://afsprakenstelsel.medmij.nl/whitelist/release2/\">"
      "<Tijdstempel>2026-11-22T10:00:00Z</Tijdstempel><Volgnummer>1</Volgnummer>"
      "<MedMijNodes><MedMijNode><Hostname>&x;</Hostname></MedMijNode></MedMijNodes></Whitelist>";
  auto r = Diff(ListKind::kWhitelist, good, xxe);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "list B: DOCTYPE")) << r.status().message();

  r = Diff(ListKind::kWhitelist, "<Whitelist", good);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "list A: not well-formed")) << r.status().message();

  // A document of another list.
  std::string gnl =
      Render(Derive(ListKind::kGegevensdienstnamenlijst, SmallNetwork(), kT0), kT0, 1);
  r = Diff(ListKind::kWhitelist, good, gnl);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "root is not Whitelist")) << r.status().message();
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace medmij::lists

namespace medmij::lists {
namespace {

TEST(ListsRender, SetVolgnummerRenumbersOnlyTheHeader) {
  ListContent c = Derive(ListKind::kGegevensdienstnamenlijst, medmij::testing::SmallNetwork(),
                         medmij::testing::kT0);
  std::string doc = Render(c, medmij::testing::kT0, 9);
  ASSERT_TRUE(SetVolgnummer(doc, 10).ok());
  EXPECT_EQ(doc, Render(c, medmij::testing::kT0, 10));
  std::string not_a_list = "<x/>";
  EXPECT_EQ(SetVolgnummer(not_a_list, 2).code(), Status::Code::kInternal);
  EXPECT_EQ(not_a_list, "<x/>");
}

}  // namespace
}  // namespace medmij::lists
