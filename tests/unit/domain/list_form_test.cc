#include "registry/domain/list_form.h"

#include <gtest/gtest.h>

namespace medmij {
namespace {

TEST(ListForm, ParsesAndNamesBothForms) {
  EXPECT_EQ(ParseListForm("strict"), ListForm::kStrict);
  EXPECT_EQ(ParseListForm("signed"), ListForm::kSigned);
  EXPECT_FALSE(ParseListForm("Strict").has_value());
  EXPECT_FALSE(ParseListForm("").has_value());
  EXPECT_EQ(ToString(ListForm::kStrict), "strict");
  EXPECT_EQ(ToString(ListForm::kSigned), "signed");
}

TEST(ListForm, PathsAndTheLinkToTheOtherForm) {
  EXPECT_EQ(OfficialListPath(ListKind::kWhitelist), "/MedMij_Whitelist.xml");
  EXPECT_EQ(SignedListPath(ListKind::kGegevensdienstnamenlijst),
            "/signed/MedMij_Gegevensdienstnamenlijst.xml");
  // Default strict: the strict form is the official name, the signed one beside it.
  EXPECT_EQ(AlternateListLink(ListKind::kWhitelist, ListForm::kStrict, ListForm::kStrict),
            "</signed/MedMij_Whitelist.xml>; rel=\"alternate\"");
  EXPECT_EQ(AlternateListLink(ListKind::kWhitelist, ListForm::kSigned, ListForm::kStrict),
            "</MedMij_Whitelist.xml>; rel=\"alternate\"");
  // Default signed: the strict form needs ?signed=false.
  EXPECT_EQ(AlternateListLink(ListKind::kOAuthClientList, ListForm::kSigned, ListForm::kSigned),
            "</MedMij_OAuthclientlist.xml?signed=false>; rel=\"alternate\"");
  EXPECT_EQ(AlternateListLink(ListKind::kOAuthClientList, ListForm::kStrict, ListForm::kSigned),
            "</signed/MedMij_OAuthclientlist.xml>; rel=\"alternate\"");
}

}  // namespace
}  // namespace medmij
