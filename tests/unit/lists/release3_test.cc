// The ZAL release3 and the Zorgaanbiederskoppellijst derived from a registry with every case:
// several interface versions, a service with no subscription, several identifiers, a provider
// without an identifier, a suspended DVA, an unqualified service, a service without an
// interface version. The exact entries, the strict schemas, and the rule that the ZAL release2
// and release3 publish the same data services with the same endpoints.
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "registry/lists/lists.h"
#include "tests/unit/lists/test_state.h"

namespace medmij::lists {
namespace {

using medmij::testing::AddNode;
using medmij::testing::AddService;
using medmij::testing::By;
using medmij::testing::GoodParticipant;
using medmij::testing::kT0;
using medmij::testing::MakeService;
using medmij::testing::Qualify;
using medmij::testing::ReferenceXsd;
using medmij::testing::SmallNetwork;
using medmij::testing::XmllintSchema;

// xis-one (good standing, qualified for 1, 4 and 5) serves:
//   multi@medmij (BAZB; agb, hrn and ura): 1 in 1.3.0 and 1.4.0 with a subscription, 4 in 1.4.0
//     without one, 5 without an interface version, 7 unqualified;
//   anoniem@medmij (no identifier): 4 in 1.4.0.
// xis-two (suspended) serves geschorst@medmij, complete in every respect.
RegistryState EveryCase() {
  RegistryState s;
  AddService(s, "1", "Basisgegevens zorg");
  AddService(s, "4", "Laboratoriumresultaten");
  AddService(s, "5", "Meetwaarden vitale functies");
  AddService(s, "7", "Medicatiegegevens");
  Participant one = GoodParticipant("xis-one", {Role::kDva});
  for (const char* id : {"1", "4", "5"}) Qualify(one, id);
  Participant two = GoodParticipant("xis-two", {Role::kDva});
  for (const char* id : {"1", "4", "5", "7"}) Qualify(two, id);
  two.status = Lifecycle::kSuspended;
  s.participants["xis-one"] = one;
  s.participants["xis-two"] = two;
  AddNode(s, "a.xis-one.net", "xis-one");
  AddNode(s, "b.xis-one.net", "xis-one");
  AddNode(s, "node.xis-two.net", "xis-two");

  Provider multi;
  multi.name = "multi@medmij";
  multi.dva = "xis-one";
  multi.type = ProviderType::kBazb;
  multi.identifiers = {{"agb", "90012345"}, {"hrn", "HRN0042"}, {"ura", "12345678"}};
  multi.added = By(kT0 - Days(10));
  ProviderService s1 = MakeService("1", "a.xis-one.net");
  s1.interface_versions = {"1.3.0", "1.4.0"};
  s1.subscription = Subscription{30, "https://b.xis-one.net/subscription"};
  ProviderService s4 = MakeService("4", "b.xis-one.net");
  ProviderService s5 = MakeService("5", "a.xis-one.net");
  s5.interface_versions.clear();
  ProviderService s7 = MakeService("7", "a.xis-one.net");
  multi.services = {{"1", s1}, {"4", s4}, {"5", s5}, {"7", s7}};
  s.providers[multi.name] = multi;

  Provider anoniem;
  anoniem.name = "anoniem@medmij";
  anoniem.dva = "xis-one";
  anoniem.added = By(kT0 - Days(10));
  anoniem.services = {{"4", MakeService("4", "a.xis-one.net")}};
  s.providers[anoniem.name] = anoniem;

  Provider geschorst;
  geschorst.name = "geschorst@medmij";
  geschorst.dva = "xis-two";
  geschorst.identifiers = {{"agb", "90054321"}};
  geschorst.added = By(kT0 - Days(10));
  geschorst.services = {{"4", MakeService("4", "node.xis-two.net")}};
  s.providers[geschorst.name] = geschorst;
  return s;
}

// The Gegevensdienst of service `id` at `host`, its children at `d` levels of four spaces.
std::string Endpoints(const std::string& id, const std::string& host, int d,
                      const std::string& subscription = "") {
  const std::string i(static_cast<size_t>(d) * 4, ' ');
  std::string x = i + "<AuthorizationEndpoint>\n" + i + "    <AuthorizationEndpointuri>https://" +
                  host + "/oauth/authorize</AuthorizationEndpointuri>\n" + i +
                  "</AuthorizationEndpoint>\n" + i + "<TokenEndpoint>\n" + i +
                  "    <TokenEndpointuri>https://" + host +
                  ":8443/oauth/token</TokenEndpointuri>\n" + i + "</TokenEndpoint>\n";
  x += subscription;
  x += i + "<Systeemrollen>\n" + i + "    <Systeemrol>\n" + i +
       "        <Systeemrolcode>MM-1.0.0-" + id + "-FHIR</Systeemrolcode>\n" + i +
       "        <ResourceEndpoint>\n" + i + "            <ResourceEndpointuri>https://" + host +
       "/fhir/" + id + "</ResourceEndpointuri>\n" + i + "        </ResourceEndpoint>\n" + i +
       "    </Systeemrol>\n" + i + "</Systeemrollen>\n";
  return x;
}

TEST(Release3Derive, ZalRelease3EntriesInTheExampleLayout) {
  ListContent c = Derive(ListKind::kZorgaanbiederslijstRelease3, EveryCase(), kT0);
  EXPECT_EQ(c.entry_count, 2u);
  const std::string sub =
      "                            <Abonneren>\n"
      "                                <MaximaleDuur>30</MaximaleDuur>\n"
      "                                <SubscriptionEndpointuri>https://b.xis-one.net/"
      "subscription</SubscriptionEndpointuri>\n"
      "                            </Abonneren>\n";
  const std::string expected =
      "        <Zorgaanbieder>\n"
      "            <Zorgaanbiedernaam>anoniem@medmij</Zorgaanbiedernaam>\n"
      "            <Aanbiedertype>ZA</Aanbiedertype>\n"
      "            <Interfaceversies>\n"
      "                <Interfaceversie>\n"
      "                    <InterfaceversieId>1.4.0</InterfaceversieId>\n"
      "                    <Gegevensdiensten>\n"
      "                        <Gegevensdienst>\n"
      "                            <GegevensdienstId>4</GegevensdienstId>\n" +
      Endpoints("4", "a.xis-one.net", 7) +
      "                        </Gegevensdienst>\n"
      "                    </Gegevensdiensten>\n"
      "                </Interfaceversie>\n"
      "            </Interfaceversies>\n"
      "        </Zorgaanbieder>\n"
      "        <Zorgaanbieder>\n"
      "            <Zorgaanbiedernaam>multi@medmij</Zorgaanbiedernaam>\n"
      "            <Aanbiedertype>BAZB</Aanbiedertype>\n"
      "            <Interfaceversies>\n"
      "                <Interfaceversie>\n"
      "                    <InterfaceversieId>1.3.0</InterfaceversieId>\n"
      "                    <Gegevensdiensten>\n"
      "                        <Gegevensdienst>\n"
      "                            <GegevensdienstId>1</GegevensdienstId>\n" +
      Endpoints("1", "a.xis-one.net", 7, sub) +
      "                        </Gegevensdienst>\n"
      "                    </Gegevensdiensten>\n"
      "                </Interfaceversie>\n"
      "                <Interfaceversie>\n"
      "                    <InterfaceversieId>1.4.0</InterfaceversieId>\n"
      "                    <Gegevensdiensten>\n"
      "                        <Gegevensdienst>\n"
      "                            <GegevensdienstId>1</GegevensdienstId>\n" +
      Endpoints("1", "a.xis-one.net", 7, sub) +
      "                        </Gegevensdienst>\n"
      "                        <Gegevensdienst>\n"
      "                            <GegevensdienstId>4</GegevensdienstId>\n" +
      Endpoints("4", "b.xis-one.net", 7) +
      "                        </Gegevensdienst>\n"
      "                    </Gegevensdiensten>\n"
      "                </Interfaceversie>\n"
      "            </Interfaceversies>\n"
      "        </Zorgaanbieder>\n";
  EXPECT_EQ(c.entries_xml, expected);
  const std::string doc = Render(c, kT0, 3);
  EXPECT_EQ(doc.substr(0, doc.find("    <Zorgaanbieders>")),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Zorgaanbiederslijst "
            "xmlns=\"xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release3/\">\n"
            "    <Tijdstempel>2026-11-22T10:00:00Z</Tijdstempel>\n"
            "    <Volgnummer>3</Volgnummer>\n");
  std::string out;
  EXPECT_EQ(XmllintSchema(ReferenceXsd(ListKind::kZorgaanbiederslijstRelease3), doc, &out), 0)
      << out;
  EXPECT_EQ(XmllintSchema(std::filesystem::path(MEDMIJ_SCHEMA_DIR) /
                              "MedMij_Zorgaanbiederslijst_release3.xsd",
                          doc, &out),
            0)
      << out;
}

TEST(Release3Derive, KoppellijstEntriesInTheExampleLayout) {
  ListContent c = Derive(ListKind::kZorgaanbiederskoppellijst, EveryCase(), kT0);
  EXPECT_EQ(c.entry_count, 1u);  // anoniem@medmij has no identifier
  EXPECT_EQ(c.entries_xml,
            "        <Zorgaanbieder>\n"
            "            <Zorgaanbiedernaam>multi@medmij</Zorgaanbiedernaam>\n"
            "            <IdentificerendeKenmerken>\n"
            "                <IdentificerendKenmerk>\n"
            "                    <AGB>90012345</AGB>\n"
            "                </IdentificerendKenmerk>\n"
            "                <IdentificerendKenmerk>\n"
            "                    <HRN>HRN0042</HRN>\n"
            "                </IdentificerendKenmerk>\n"
            "                <IdentificerendKenmerk>\n"
            "                    <URA>12345678</URA>\n"
            "                </IdentificerendKenmerk>\n"
            "            </IdentificerendeKenmerken>\n"
            "            <Gegevensdiensten>\n"
            "                <Gegevensdienst>\n"
            "                    <GegevensdienstId>1</GegevensdienstId>\n"
            "                    <Weergavenaam>Basisgegevens zorg</Weergavenaam>\n"
            "                    <Interfaceversies>\n"
            "                        <Interfaceversie>\n"
            "                            <InterfaceversieId>1.3.0</InterfaceversieId>\n"
            "                        </Interfaceversie>\n"
            "                        <Interfaceversie>\n"
            "                            <InterfaceversieId>1.4.0</InterfaceversieId>\n"
            "                        </Interfaceversie>\n"
            "                    </Interfaceversies>\n"
            "                </Gegevensdienst>\n"
            "                <Gegevensdienst>\n"
            "                    <GegevensdienstId>4</GegevensdienstId>\n"
            "                    <Weergavenaam>Laboratoriumresultaten</Weergavenaam>\n"
            "                    <Interfaceversies>\n"
            "                        <Interfaceversie>\n"
            "                            <InterfaceversieId>1.4.0</InterfaceversieId>\n"
            "                        </Interfaceversie>\n"
            "                    </Interfaceversies>\n"
            "                </Gegevensdienst>\n"
            "            </Gegevensdiensten>\n"
            "        </Zorgaanbieder>\n");
  const std::string doc = Render(c, kT0, 1);
  EXPECT_NE(doc.find("<Zorgaanbiederskoppellijst "
                     "xmlns=\"xmlns://afsprakenstelsel.medmij.nl/Zorgaanbiederskoppellijst/"
                     "release1/\">\n"),
            std::string::npos);
  std::string out;
  EXPECT_EQ(XmllintSchema(ReferenceXsd(ListKind::kZorgaanbiederskoppellijst), doc, &out), 0) << out;
  EXPECT_EQ(XmllintSchema(
                std::filesystem::path(MEDMIJ_SCHEMA_DIR) / "MedMij_Zorgaanbiederskoppellijst.xsd",
                doc, &out),
            0)
      << out;
  // The display name comes from the catalogue: renaming a service changes the ZAKL only there.
  RegistryState renamed = EveryCase();
  renamed.services["4"].display_name = "Labuitslagen";
  const std::string after = Derive(ListKind::kZorgaanbiederskoppellijst, renamed, kT0).entries_xml;
  EXPECT_NE(after.find("<Weergavenaam>Labuitslagen</Weergavenaam>"), std::string::npos);
  EXPECT_EQ(Derive(ListKind::kZorgaanbiederslijstRelease3, renamed, kT0).digest,
            Derive(ListKind::kZorgaanbiederslijstRelease3, EveryCase(), kT0).digest);
}

// --- release2 and release3 consistency ------------------------------------------------------

struct XmlDocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

std::string Name(const xmlNode* n) {
  return reinterpret_cast<const char*>(n->name);
}

std::string Text(const xmlNode* n) {
  if (n == nullptr) return "(missing)";
  xmlChar* t = xmlNodeGetContent(n);
  std::string s = t != nullptr ? reinterpret_cast<const char*>(t) : "";
  xmlFree(t);
  return s;
}

std::vector<const xmlNode*> Children(const xmlNode* n, const std::string& name) {
  std::vector<const xmlNode*> out;
  if (n == nullptr) return out;
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && Name(c) == name) out.push_back(c);
  }
  return out;
}

const xmlNode* Child(const xmlNode* n, const std::string& name) {
  auto c = Children(n, name);
  return c.size() == 1 ? c[0] : nullptr;
}

// A Gegevensdienst's endpoints as one comparable line: authorization, token, and each system
// role (code and resource endpoint).
std::string EndpointsOf(const xmlNode* dienst) {
  std::string s = Text(Child(Child(dienst, "AuthorizationEndpoint"), "AuthorizationEndpointuri")) +
                  " | " + Text(Child(Child(dienst, "TokenEndpoint"), "TokenEndpointuri"));
  for (const xmlNode* r : Children(Child(dienst, "Systeemrollen"), "Systeemrol")) {
    s += " | " + Text(Child(r, "Systeemrolcode")) + "=" +
         Text(Child(Child(r, "ResourceEndpoint"), "ResourceEndpointuri"));
  }
  return s;
}

// provider -> service id -> endpoints, as the document publishes them; release3 documents list
// a service once per interface version, and each time with the same endpoints.
using Published = std::map<std::string, std::map<std::string, std::string>>;

Published Read(const std::string& doc, bool release3) {
  std::unique_ptr<xmlDoc, XmlDocFree> d(
      xmlReadMemory(doc.data(), static_cast<int>(doc.size()), nullptr, nullptr, XML_PARSE_NONET));
  EXPECT_NE(d, nullptr);
  Published out;
  if (d == nullptr) return out;
  const xmlNode* root = xmlDocGetRootElement(d.get());
  for (const xmlNode* za : Children(Child(root, "Zorgaanbieders"), "Zorgaanbieder")) {
    auto& services = out[Text(Child(za, "Zorgaanbiedernaam"))];
    std::vector<const xmlNode*> groups;
    if (release3) {
      groups = Children(Child(za, "Interfaceversies"), "Interfaceversie");
    } else {
      groups = {za};
    }
    for (const xmlNode* g : groups) {
      for (const xmlNode* gd : Children(Child(g, "Gegevensdiensten"), "Gegevensdienst")) {
        const std::string id = Text(Child(gd, "GegevensdienstId"));
        const std::string e = EndpointsOf(gd);
        auto [it, fresh] = services.emplace(id, e);
        EXPECT_TRUE(fresh || it->second == e) << "service " << id << " differs between versions";
      }
    }
  }
  return out;
}

// The rule both ZALs keep: for every provider the same data services with the same endpoints,
// except that a service without an interface version cannot be in release3 (its schema needs
// one; `participant explain` names it).
void ExpectConsistent(const RegistryState& s) {
  const Published r2 =
      Read(Render(Derive(ListKind::kZorgaanbiederslijst, s, kT0), kT0, 1), /*release3=*/false);
  const Published r3 = Read(Render(Derive(ListKind::kZorgaanbiederslijstRelease3, s, kT0), kT0, 1),
                            /*release3=*/true);
  for (const auto& [provider, services] : r3) {
    ASSERT_EQ(r2.count(provider), 1u) << provider << " is in release3 only";
    EXPECT_EQ(services.size() > 0, true);
    for (const auto& [id, endpoints] : services) {
      ASSERT_EQ(r2.at(provider).count(id), 1u) << provider << " " << id << " in release3 only";
      EXPECT_EQ(r2.at(provider).at(id), endpoints) << provider << " " << id;
    }
  }
  for (const auto& [provider, services] : r2) {
    for (const auto& [id, endpoints] : services) {
      const bool in3 = r3.count(provider) != 0 && r3.at(provider).count(id) != 0;
      const bool versioned = !s.providers.at(provider).services.at(id).interface_versions.empty();
      EXPECT_EQ(in3, versioned) << provider << " " << id;
    }
  }
}

TEST(Release3Derive, BothZalsPublishTheSameServicesAndEndpoints) {
  ExpectConsistent(SmallNetwork());
  const RegistryState every = EveryCase();
  ExpectConsistent(every);
  const Published r2 =
      Read(Render(Derive(ListKind::kZorgaanbiederslijst, every, kT0), kT0, 1), /*release3=*/false);
  // The case the exception covers is in the data, and only it: 5 has no interface version; 7 is
  // unqualified and the suspended DVA's provider is on neither list.
  ASSERT_EQ(r2.count("multi@medmij"), 1u);
  EXPECT_EQ(r2.at("multi@medmij").size(), 3u);  // 1, 4, 5
  EXPECT_EQ(r2.count("geschorst@medmij"), 0u);
  // A change of endpoint reaches both lists.
  RegistryState moved = every;
  moved.providers["multi@medmij"].services["4"].token_uri = "https://a.xis-one.net/token2";
  ExpectConsistent(moved);
  EXPECT_NE(Derive(ListKind::kZorgaanbiederslijstRelease3, moved, kT0).digest,
            Derive(ListKind::kZorgaanbiederslijstRelease3, every, kT0).digest);
}

TEST(Release3Derive, ReinstatedDvaReturnsToBothLists) {
  RegistryState s = EveryCase();
  s.participants["xis-two"].status = Lifecycle::kActive;
  for (ListKind list : {ListKind::kZorgaanbiederslijstRelease3,
                        ListKind::kZorgaanbiederskoppellijst, ListKind::kZorgaanbiederslijst}) {
    EXPECT_NE(Derive(list, s, kT0).entries_xml.find("geschorst@medmij"), std::string::npos)
        << ToString(list);
    EXPECT_EQ(Derive(list, EveryCase(), kT0).entries_xml.find("geschorst@medmij"),
              std::string::npos)
        << ToString(list);
  }
  ExpectConsistent(s);
}

}  // namespace
}  // namespace medmij::lists
