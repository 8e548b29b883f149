// Replies: the one Status -> HTTP mapping, generic bodies for server errors, query checks.
#include "registry/http/reply.h"

#include <gtest/gtest.h>

namespace medmij::http {
namespace {

TEST(HttpStatusFor, EveryCode) {
  EXPECT_EQ(HttpStatusFor(Status::Invalid("x")), 400);
  EXPECT_EQ(HttpStatusFor(Status::NotFound("x")), 404);
  EXPECT_EQ(HttpStatusFor(Status::Refused("x")), 409);
  EXPECT_EQ(HttpStatusFor(Status::Exists("x")), 409);
  EXPECT_EQ(HttpStatusFor(Status::Exhausted("x")), 500);
  EXPECT_EQ(HttpStatusFor(Status::IoError("x")), 500);
  EXPECT_EQ(HttpStatusFor(Status::Corruption("x")), 500);
  EXPECT_EQ(HttpStatusFor(Status::Internal("x")), 500);
}

TEST(ErrorReply, ClientErrorsNameTheRuleServerErrorsSayNothing) {
  Reply r = ErrorReply(Status::Invalid("query parameter 'at': not a time"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "query parameter 'at': not a time\n");
  EXPECT_EQ(r.headers, "Cache-Control: no-store\r\n");
  r = ErrorReply(Status::Corruption("/var/lib/medmij/data.mdb: page 7 broken"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "internal error\n");
}

TEST(Replies, TextJsonNotFoundAndMethodNotAllowed) {
  EXPECT_EQ(TextReply(200, "a\n").body, "a\n");
  EXPECT_EQ(TextReply(200, "").body, "\n");
  Reply j = JsonReply(200, "{}", "no-cache");
  EXPECT_EQ(j.content_type, "application/json");
  EXPECT_EQ(j.body, "{}\n");
  EXPECT_EQ(j.headers, "Cache-Control: no-cache\r\n");
  EXPECT_EQ(JsonReply(503, "{}").headers, "Cache-Control: no-store\r\n");
  EXPECT_EQ(NotFound().status, 404);
  Reply m = MethodNotAllowed();
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.headers, "Cache-Control: no-store\r\nAllow: GET, HEAD\r\n");
}

TEST(RejectQuery, NamesTheFirstUnknownParameterPrintably) {
  Request r = Request::FromTarget(Method::kGet, "/x?from=1&li%0amit=2");
  EXPECT_FALSE(RejectQuery(r, {"from", "li%0amit"}));
  auto bad = RejectQuery(r, {"from"});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(bad->body, "unknown query parameter 'li%0amit'\n");
  EXPECT_EQ(Printable("a\tb\xff"), "a?b?");
  EXPECT_EQ(Printable(std::string(41, 'x')), std::string(40, 'x') + "...");
}

TEST(ReasonPhrase, KnownAndUnknown) {
  EXPECT_STREQ(ReasonPhrase(304), "Not Modified");
  EXPECT_STREQ(ReasonPhrase(409), "Conflict");
  EXPECT_STREQ(ReasonPhrase(299), "Unknown");
}

}  // namespace
}  // namespace medmij::http
