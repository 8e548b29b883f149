// The list table: one row per list, every name and file distinct, lookups both ways.
#include <gtest/gtest.h>

#include <set>

#include "registry/domain/types.h"

namespace medmij {
namespace {

TEST(ListSpecs, OneConsistentRowPerList) {
  std::set<std::string_view> names, files, namespaces;
  ASSERT_EQ(kAllLists.size(), kListCount);
  for (size_t i = 0; i < kListCount; ++i) {
    const ListKind k = kAllLists[i];
    const ListSpec& s = Spec(k);
    EXPECT_EQ(s.kind, k);
    EXPECT_EQ(ParseListKind(ToString(k)), k);
    EXPECT_EQ(PublishedFileName(k), s.file_name);
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    EXPECT_TRUE(files.insert(s.file_name).second) << s.file_name;
    EXPECT_TRUE(namespaces.insert(s.ns).second) << s.ns;
    EXPECT_TRUE(s.file_name.starts_with("MedMij_") && s.file_name.ends_with(".xml")) << s.file_name;
    EXPECT_TRUE(s.xsd.ends_with(".xsd")) << s.xsd;
    // The strict form is checked against the official XSD, or the project's strict rendering of
    // a release that has none; never against the project's own (signature-admitting) XSD.
    EXPECT_TRUE(s.strict_xsd.starts_with("reference/") || s.strict_xsd.starts_with("strict/"))
        << s.strict_xsd;
    // The same file name as the project's (appended, not "/" + name: g++ 12 -O2 -Wrestrict).
    std::string tail = "/";
    tail.append(s.xsd);
    EXPECT_TRUE(s.strict_xsd.ends_with(tail)) << s.strict_xsd;
    EXPECT_TRUE(s.ns.starts_with("xmlns://afsprakenstelsel.medmij.nl/")) << s.ns;
    EXPECT_NE(s.ns.find("/release" + std::string(s.api_major) + "/"), std::string::npos) << s.ns;
    // The fields are NUL-terminated literals: libxml compares them as C strings.
    EXPECT_EQ(s.root.data()[s.root.size()], '\0');
    EXPECT_EQ(s.ns.data()[s.ns.size()], '\0');
  }
  EXPECT_FALSE(ParseListKind("Whitelist"));
  EXPECT_EQ(ListNamesForMessages(),
            "whitelist, oauthclientlist, zorgaanbiederslijst, gegevensdienstnamenlijst, "
            "zorgaanbiederslijst_release3 or zorgaanbiederskoppellijst");
}

}  // namespace
}  // namespace medmij
