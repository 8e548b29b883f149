#include "registry/web/search.h"

#include <gtest/gtest.h>

namespace medmij::web {
namespace {

PublicParticipant Named(std::string id, std::string name, Role role) {
  PublicParticipant p;
  p.id = std::move(id);
  p.legal_name = std::move(name);
  p.roles = {role};
  return p;
}

TEST(ParseSearch, DecodesTheFormEncoding) {
  auto s = ParseSearch("%20De+Enige%2fEchte+", "dvp");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->text, "De Enige/Echte");
  EXPECT_EQ(s->role, Role::kDvp);
  auto none = ParseSearch(std::nullopt, "");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto utf8 = ParseSearch("Zorg%C3%A9", std::nullopt);
  ASSERT_TRUE(utf8.ok());
  EXPECT_EQ(utf8->text, "Zorg\xc3\xa9");
}

TEST(ParseSearch, RefusesMalformedInputNamingTheParameter) {
  for (const char* q : {"%", "%4", "%zz", "%ff", "a%0Ab"}) {
    auto s = ParseSearch(q, std::nullopt);
    ASSERT_FALSE(s.ok()) << q;
    EXPECT_EQ(s.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(s.status().message().find("'q'"), std::string::npos) << s.status().message();
  }
  EXPECT_FALSE(ParseSearch(std::string(kMaxSearchBytes + 1, 'a'), std::nullopt).ok());
  EXPECT_TRUE(ParseSearch(std::string(kMaxSearchBytes, 'a'), std::nullopt).ok());
  auto role = ParseSearch(std::nullopt, "DVP");
  ASSERT_FALSE(role.ok());
  EXPECT_EQ(role.status().message(), "query parameter 'role' must be dvp or dva");
}

TEST(Search, MatchesNameOrIdIgnoringAsciiCaseAndRole) {
  const PublicParticipant pgo = Named("acme-pgo", "Acme PGO B.V.", Role::kDvp);
  EXPECT_TRUE((Search{"acme pgo", std::nullopt}).Matches(pgo));
  EXPECT_TRUE((Search{"ME-P", std::nullopt}).Matches(pgo));
  EXPECT_TRUE((Search{"", Role::kDvp}).Matches(pgo));
  EXPECT_FALSE((Search{"", Role::kDva}).Matches(pgo));
  EXPECT_FALSE((Search{"zorg", std::nullopt}).Matches(pgo));
}

}  // namespace
}  // namespace medmij::web
