// The plain form: the exclusive C14N of a list as lists::Render writes it, from its bytes.
//
// A document is in the plain form when its bytes are exactly:
//   <?xml version="1.0" encoding="UTF-8"?>, then XML whitespace without CR;
//   <ROOT xmlns="NS">, the list's root element and release namespace, nothing else in the tag;
//   content made only of start tags <N>, end tags </N> and empty-element tags <N/>, N an ASCII
//   name without a colon, no attributes, no whitespace inside tags; and text with no '>', no CR,
//   and '&' only in &amp; &lt; &gt;;
//   </ROOT>, then XML whitespace without CR.
// lists::Render writes this form. For such a document, once a parser has accepted it as
// well-formed, its exclusive C14N without comments is the bytes from "<ROOT" to the '>' of the
// root end tag with each <N/> written <N></N>, because: the declaration and whitespace outside
// the root are not rendered; there is no DOCTYPE, PI, comment or CDATA; the only attribute-like
// item is the root's namespace declaration, visibly used by the root and declared nowhere else,
// written as it stands; text is written with &, <, > escaped as &amp; &lt; &gt; (what the bytes
// already hold: no other reference and no raw '>' occur) and CR as &#xD; (no CR occurs, so no
// line-end normalisation either). Anything else (a prefix, an attribute, a character reference,
// CRLF, a comment) is not the plain form and takes the DOM path. The signer tests compare this
// digest with libxml2's C14N (the DOM path) on documents with awkward text.
#include <string>
#include <vector>

#include "signer/internal.h"

namespace medmij::signer::internal {
namespace {

constexpr std::string_view kPlainDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

bool IsPlainSpace(char c) {
  return c == ' ' || c == '\n' || c == '\t';
}
bool IsNameStart(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool IsNameChar(char c) {
  return IsNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

}  // namespace

std::string PlainRootStartTag(const ListInfo& info) {
  return std::string("<") + info.root + " xmlns=\"" + info.ns + "\">";
}

size_t PlainRootBegin(std::string_view bytes, const ListInfo& info) {
  if (!bytes.starts_with(kPlainDeclaration)) return std::string_view::npos;
  size_t i = kPlainDeclaration.size();
  while (i < bytes.size() && IsPlainSpace(bytes[i])) ++i;
  if (bytes.substr(i).starts_with(PlainRootStartTag(info))) return i;
  return std::string_view::npos;
}

std::optional<size_t> CanonicalizePlainForm(std::string_view b, const ListInfo& info,
                                            const std::function<bool(std::string_view)>& sink) {
  const size_t root_begin = PlainRootBegin(b, info);
  if (root_begin == std::string_view::npos) return std::nullopt;
  const size_t n = b.size();
  size_t flushed = root_begin;  // [flushed, i) is canonical and not yet written
  auto feed = [&](const char* p, size_t len) { return sink(std::string_view(p, len)); };
  std::vector<std::string_view> open{info.root};
  size_t i = root_begin + PlainRootStartTag(info).size();
  size_t splice = 0;
  for (;;) {
    size_t lt = i;
    for (; lt < n; ++lt) {
      const char c = b[lt];
      if (c == '<') break;
      if (c == '>' || c == '\r') return std::nullopt;
      if (c == '&') {
        const std::string_view ref = b.substr(lt + 1, 4);
        if (ref == "amp;") {
          lt += 4;
        } else if (ref.starts_with("lt;") || ref.starts_with("gt;")) {
          lt += 3;
        } else {
          return std::nullopt;
        }
      }
    }
    if (lt >= n) return std::nullopt;
    i = lt + 1;
    if (i < n && b[i] == '/') {
      const size_t name = ++i;
      while (i < n && IsNameChar(b[i])) ++i;
      if (i >= n || b[i] != '>' || b.substr(name, i - name) != open.back()) return std::nullopt;
      ++i;
      open.pop_back();
      if (open.empty()) {
        splice = lt;
        break;
      }
      continue;
    }
    const size_t name = i;
    if (i >= n || !IsNameStart(b[i])) return std::nullopt;
    while (i < n && IsNameChar(b[i])) ++i;
    if (i < n && b[i] == '>') {
      ++i;
      open.push_back(b.substr(name, i - 1 - name));
      if (open.size() > static_cast<size_t>(kMaxDepth)) return std::nullopt;
    } else if (i + 1 < n && b[i] == '/' && b[i + 1] == '>') {
      if (!feed(b.data() + flushed, i - flushed) || !feed("></", 3) ||
          !feed(b.data() + name, i - name) || !feed(">", 1)) {
        return std::nullopt;
      }
      i += 2;
      flushed = i;
    } else {
      return std::nullopt;
    }
  }
  for (size_t j = i; j < n; ++j) {
    if (!IsPlainSpace(b[j])) return std::nullopt;
  }
  if (!feed(b.data() + flushed, i - flushed)) return std::nullopt;
  return splice;
}

}  // namespace medmij::signer::internal
