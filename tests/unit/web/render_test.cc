#include "registry/web/render.h"

#include <gtest/gtest.h>

#include "registry/web/embedded.h"

namespace medmij::web {
namespace {

PublicParticipant Hostile() {
  PublicParticipant p;
  p.id = "hostile";
  p.legal_name = "<script>alert(\"1\")</script> & 'Co'";
  p.roles = {Role::kDvp};
  p.status = Lifecycle::kActive;
  p.good_standing = true;
  p.label_granted = true;
  p.oauth_clients.push_back({"pgo.example", "<b>Org</b>"});
  return p;
}

TEST(Render, EscapesEveryTextFromTheRegistry) {
  RegisterView view;
  view.participants.push_back(Hostile());
  RenderedSite site = RenderSite(view);
  for (const std::string& html : {site.overview, site.participants.at("hostile")}) {
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt; &amp; &apos;Co&apos;"),
              std::string::npos)
        << html;
  }
  EXPECT_NE(site.participants.at("hostile").find("&lt;b&gt;Org&lt;/b&gt;"), std::string::npos);
  std::string found = RenderOverview(view, Search{"\"><x", std::nullopt});
  EXPECT_NE(found.find("value=\"&quot;&gt;&lt;x\""), std::string::npos) << found;
}

TEST(Render, EveryPageIsDutchAndLoadsOnlyTheStylesheet) {
  RegisterView view;
  view.participants.push_back(Hostile());
  RenderedSite site = RenderSite(view);
  for (const std::string& html : {site.overview, site.lists, site.not_found}) {
    EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"nl\">", 0), 0u) << html.substr(0, 60);
    EXPECT_NE(html.find("<link rel=\"stylesheet\" href=\"/static/register.css\">"),
              std::string::npos);
  }
  ASSERT_EQ(StaticAssets().size(), 1u);
  EXPECT_EQ(StaticAssets()[0].bytes, EmbeddedWebFile("static/register.css").value());
  EXPECT_FALSE(EmbeddedWebFile("templates/missing.mustache").has_value());
}

}  // namespace
}  // namespace medmij::web
