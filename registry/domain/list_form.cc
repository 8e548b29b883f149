#include "registry/domain/list_form.h"

namespace medmij {

std::string_view ToString(ListForm form) {
  return form == ListForm::kStrict ? "strict" : "signed";
}

std::optional<ListForm> ParseListForm(std::string_view text) {
  if (text == "strict") return ListForm::kStrict;
  if (text == "signed") return ListForm::kSigned;
  return std::nullopt;
}

std::string SignedListPath(ListKind list) {
  std::string path = "/signed/";
  path.append(PublishedFileName(list));
  return path;
}

std::string OfficialListPath(ListKind list) {
  std::string path = "/";
  path.append(PublishedFileName(list));
  return path;
}

std::string CanonicalListTarget(ListKind list, ListForm form, ListForm default_form) {
  if (form == ListForm::kSigned) return SignedListPath(list);
  std::string target = OfficialListPath(list);
  if (default_form != ListForm::kStrict) target.append("?signed=false");
  return target;
}

std::string AlternateListLink(ListKind list, ListForm served, ListForm default_form) {
  const ListForm other = served == ListForm::kStrict ? ListForm::kSigned : ListForm::kStrict;
  std::string link = "<";
  link.append(CanonicalListTarget(list, other, default_form));
  link.append(">; rel=\"alternate\"");
  return link;
}

}  // namespace medmij
