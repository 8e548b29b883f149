// The neutral request: splitting a request target as the service's HTTP parser does, and
// header and parameter lookups.
#include "registry/http/request.h"

#include <gtest/gtest.h>

namespace medmij::http {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

TEST(RequestFromTarget, SplitsPathAndQueryWithoutDecoding) {
  Request r = Request::FromTarget(Method::kHead, "/lists/whitelist/versions?from=2&limit=%31");
  EXPECT_EQ(r.method, Method::kHead);
  EXPECT_EQ(r.path, "/lists/whitelist/versions");
  EXPECT_EQ(r.query, (Params{{"from", "2"}, {"limit", "%31"}}));
  EXPECT_EQ(Request::FromTarget(Method::kGet, "/x").query, Params{});
  EXPECT_EQ(Request::FromTarget(Method::kGet, "/x?").query, Params{});
  EXPECT_EQ(Request::FromTarget(Method::kGet, "").path, "");
}

TEST(RequestFromTarget, ValuelessRepeatedAndEmptyParameters) {
  EXPECT_EQ(Request::FromTarget(Method::kGet, "/x?a&b=&=c").query,
            (Params{{"a", ""}, {"b", ""}, {"", "c"}}));
  // The first value of a repeated name counts, as in Pistache's query map.
  Request r = Request::FromTarget(Method::kGet, "/x?signed=false&signed=true");
  EXPECT_EQ(r.query, (Params{{"signed", "false"}}));
  EXPECT_EQ(r.QueryParam("signed"), "false");
  // Only the first '?' ends the path; '=' after the first belongs to the value.
  r = Request::FromTarget(Method::kGet, "/x?a=b=c?d");
  EXPECT_EQ(r.path, "/x");
  EXPECT_EQ(r.QueryParam("a"), "b=c?d");
  EXPECT_FALSE(r.QueryParam("b"));
}

TEST(Request, HeadersAreCaseInsensitiveAndTheFirstCounts) {
  Request r;
  r.headers = {{"If-None-Match", "\"a\""}, {"if-none-match", "\"b\""}, {"Authorization", ""}};
  EXPECT_EQ(r.Header("IF-NONE-MATCH"), "\"a\"");
  EXPECT_EQ(r.Header("authorization"), "");
  EXPECT_FALSE(r.Header("If-None"));
  EXPECT_FALSE(r.Header("If-None-Match-X"));
}

}  // namespace
}  // namespace medmij::http
