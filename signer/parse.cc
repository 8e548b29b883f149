// ParseDocument: the module's one parser, with the document limits enforced while the bytes
// stream into libxml2.
//
// Two guards, both in the parse's single pass over the input:
//  - MarkupScanner sees every chunk before libxml2 reads it and counts, per start tag, the
//    attributes and namespace declarations. libxml2 2.9.14 compares each attribute and each
//    namespace declaration with every earlier one of the same element (quadratic: 40 000
//    attributes took 22 s, 200 000 declarations 21 s), so a tag over the limit must never reach
//    it. The scanner is a lexer only (text, tags, comments, CDATA, PIs); where it and libxml2
//    could disagree the input is not well-formed, libxml2 says so, and the reader stops feeding.
//  - The SAX callbacks that build the DOM are wrapped: depth, nodes (also against the bytes read
//    so far), nodes inside ds:Signature and certificates are counted as they arrive and the
//    parser is stopped at the first one over a limit, so no hostile part is ever built (15
//    million elements inside ds:Signature took 2.27 GB before).
// The input reaches libxml2 through a read callback in chunks (as from a file): libxml2 keeps a
// window, not a copy of the whole document.
#include <libxml/SAX2.h>
#include <libxml/parserInternals.h>

#include <algorithm>
#include <cstring>

#include "signer/internal.h"

namespace medmij::signer::internal {
namespace {

// A byte that ends an element or attribute name inside a tag.
constexpr bool IsNameEnd(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' || c == '>' || c == '=' ||
         c == '<' || c == '"' || c == '\'';
}
constexpr bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct NameEndTable {
  bool end[256] = {};
  constexpr NameEndTable() {
    for (int c = 0; c < 256; ++c) end[c] = IsNameEnd(static_cast<unsigned char>(c));
  }
};
constexpr NameEndTable kNameEnd;

std::string Count(size_t n, const char* what) {
  return std::to_string(n) + " " + what;
}

}  // namespace

std::string MarkupScanner::Feed(std::string_view chunk) {
  const char* const base = chunk.data();
  const char* p = base;
  const char* const end = base + chunk.size();
  auto here = [&] { return offset_ + static_cast<size_t>(p - base); };
  while (p < end) {
    switch (state_) {
      case State::kText: {
        const void* lt = std::memchr(p, '<', static_cast<size_t>(end - p));
        if (lt == nullptr) {
          p = end;
          break;
        }
        p = static_cast<const char*>(lt);
        tag_begin_ = here();
        ++p;
        state_ = State::kMarkup;
        break;
      }
      case State::kMarkup:
        if (*p == '/') {
          state_ = State::kEndTag;
          ++p;
        } else if (*p == '?') {
          state_ = State::kPi;
          run_ = 0;
          ++p;
        } else if (*p == '!') {
          state_ = State::kBang;
          bang_len_ = 0;
          ++p;
        } else {
          state_ = State::kStartName;
          attributes_ = 0;
          namespaces_ = 0;
          last_tag_char_ = 0;
        }
        break;
      case State::kEndTag: {
        const void* gt = std::memchr(p, '>', static_cast<size_t>(end - p));
        if (gt == nullptr) {
          p = end;
          break;
        }
        p = static_cast<const char*>(gt) + 1;
        if (depth_ > 0) --depth_;
        if (depth_ == 1) last_root_child_end_ = here();
        state_ = State::kText;
        break;
      }
      case State::kBang: {
        // "<!--" opens a comment, "<![CDATA[" a CDATA section; anything else is a markup
        // declaration (DOCTYPE, ENTITY...), which no list has.
        static constexpr std::string_view kComment = "--", kCData = "[CDATA[";
        bang_[bang_len_++] = *p++;
        const std::string_view seen(bang_, bang_len_);
        if (seen == kComment) {
          state_ = State::kComment;
          run_ = 0;
        } else if (seen == kCData) {
          state_ = State::kCData;
          run_ = 0;
        } else if (!kComment.starts_with(seen) && !kCData.starts_with(seen)) {
          if (seen == "D") return "a DOCTYPE is not allowed";
          return "markup declarations (<!...>) are not allowed (byte " +
                 std::to_string(tag_begin_) + ")";
        }
        break;
      }
      case State::kComment:  // ends at "-->"
      case State::kCData:    // ends at "]]>"
      case State::kPi: {     // ends at "?>"
        const char closer = state_ == State::kComment ? '-' : state_ == State::kCData ? ']' : '?';
        const size_t needed = state_ == State::kPi ? 1 : 2;
        for (; p < end; ++p) {
          if (*p == '>' && run_ >= needed) {
            ++p;
            state_ = State::kText;
            break;
          }
          run_ = *p == closer ? run_ + 1 : 0;
        }
        break;
      }
      case State::kStartName:
        while (p < end && !kNameEnd.end[static_cast<unsigned char>(*p)]) ++p;
        if (p < end) state_ = State::kInTag;
        break;
      case State::kInTag: {
        const char c = *p;
        if (IsSpace(c) || c == '/') {
          ++p;
        } else if (c == '>') {
          ++p;
          const bool empty_element = last_tag_char_ == '/';
          if (depth_ == 1) {
            last_root_child_begin_ = tag_begin_;
            if (empty_element) last_root_child_end_ = here();
          }
          if (!empty_element) ++depth_;
          state_ = State::kText;
        } else if (c == '<' || c == '"' || c == '\'' || c == '=') {
          // Not well-formed: libxml2 stops here. Resynchronise on the next markup.
          state_ = State::kText;
        } else {
          state_ = State::kAttrName;
          name_len_ = 0;
        }
        last_tag_char_ = c;
        break;
      }
      case State::kAttrName:
        for (; p < end && !kNameEnd.end[static_cast<unsigned char>(*p)]; ++p) {
          if (name_len_ < sizeof name_) name_[name_len_] = *p;
          ++name_len_;
        }
        if (p < end) state_ = State::kAfterName;
        break;
      case State::kAfterName:
        if (IsSpace(*p)) {
          ++p;
        } else if (*p == '=') {
          ++p;
          state_ = State::kAfterEq;
        } else {
          state_ = State::kInTag;  // not well-formed: an attribute without a value
        }
        break;
      case State::kAfterEq:
        if (IsSpace(*p)) {
          ++p;
        } else if (*p == '"' || *p == '\'') {
          quote_ = *p++;
          state_ = State::kAttrValue;
          const bool xmlns = (name_len_ == 5 && std::memcmp(name_, "xmlns", 5) == 0) ||
                             (name_len_ > 6 && std::memcmp(name_, "xmlns:", 6) == 0);
          if (xmlns) {
            if (++namespaces_ > limits_.namespaces_per_element) {
              return "an element has more than " +
                     Count(limits_.namespaces_per_element, "namespace declarations") + " (byte " +
                     std::to_string(tag_begin_) + ")";
            }
            if (++namespaces_total_ > limits_.namespaces) {
              return "the document has more than " +
                     Count(limits_.namespaces, "namespace declarations") + " (byte " +
                     std::to_string(tag_begin_) + ")";
            }
          } else if (++attributes_ > limits_.attributes_per_element) {
            return "an element has more than " +
                   Count(limits_.attributes_per_element, "attributes") + " (byte " +
                   std::to_string(tag_begin_) + ")";
          }
        } else {
          state_ = State::kInTag;  // not well-formed: a value without quotes
        }
        break;
      case State::kAttrValue: {
        const void* q = std::memchr(p, quote_, static_cast<size_t>(end - p));
        if (q == nullptr) {
          p = end;
          break;
        }
        p = static_cast<const char*>(q) + 1;
        last_tag_char_ = quote_;
        state_ = State::kInTag;
        break;
      }
    }
  }
  offset_ += chunk.size();
  return {};
}

std::optional<std::pair<size_t, size_t>> MarkupScanner::LastRootChild() const {
  if (last_root_child_end_ <= last_root_child_begin_) return std::nullopt;
  return std::make_pair(last_root_child_begin_, last_root_child_end_);
}

namespace {

struct ParseState {
  explicit ParseState(const ParseLimits& l) : limits(l), scanner(l) {}
  ParseLimits limits;
  MarkupScanner scanner;
  xmlParserCtxtPtr ctxt = nullptr;
  std::string_view rest;
  size_t fed = 0;     // bytes handed to libxml2 so far
  std::string error;  // the first limit broken, or an encoding refusal
  bool doctype = false;
  int depth = 0;
  size_t nodes = 0;
  size_t namespaces = 0;
  int signature_depth = 0;  // depth of the outermost ds:Signature being parsed; 0 outside
  size_t signature_nodes = 0;
  size_t signatures = 0;
  size_t certificates = 0;
  bool in_text = false;  // the previous event was text: libxml2 merges it into one node

  void Fail(const std::string& why) {
    if (error.empty()) {
      error = why + " (line " + std::to_string(xmlSAX2GetLineNumber(ctxt)) + ")";
    }
    xmlStopParser(ctxt);
  }
  // One more node; false when it breaks a limit (the parser is stopped).
  bool CountNode() {
    if (++nodes > limits.nodes) {
      Fail("the document has more than " + std::to_string(limits.nodes) + " nodes");
      return false;
    }
    if (nodes > limits.dense_nodes &&
        nodes - limits.dense_nodes > fed / limits.min_bytes_per_node) {
      Fail("the document has " + std::to_string(nodes) + " nodes in its first " +
           std::to_string(fed) + " bytes: more than " + std::to_string(limits.dense_nodes) +
           " and one per " + std::to_string(limits.min_bytes_per_node) + " bytes");
      return false;
    }
    if (signature_depth > 0 && ++signature_nodes > limits.signature_nodes) {
      Fail("ds:Signature has more than " + std::to_string(limits.signature_nodes) + " nodes");
      return false;
    }
    return true;
  }
};

ParseState* StateOf(void* ctx) {
  return static_cast<ParseState*>(static_cast<xmlParserCtxtPtr>(ctx)->_private);
}

bool Is(const xmlChar* a, const char* b) {
  return a != nullptr && std::strcmp(reinterpret_cast<const char*>(a), b) == 0;
}

void OnStartElement(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri,
                    int nb_namespaces, const xmlChar** namespaces, int nb_attributes,
                    int nb_defaulted, const xmlChar** attributes) {
  ParseState* s = StateOf(ctx);
  s->in_text = false;
  if (++s->depth > s->limits.depth) {
    return s->Fail("document is nested deeper than " + std::to_string(s->limits.depth) +
                   " elements");
  }
  const bool dsig = Is(uri, kDsigNs);
  if (dsig && Is(localname, "Signature")) {
    ++s->signatures;
    if (s->signature_depth == 0) s->signature_depth = s->depth;
  }
  if (!s->CountNode()) return;
  if (s->signature_depth > 0 && dsig && Is(localname, "X509Certificate") &&
      ++s->certificates > s->limits.certificates) {
    return s->Fail("ds:KeyInfo has more than " + std::to_string(s->limits.certificates) +
                   " certificates");
  }
  // The scanner stopped these before libxml2 read the tag; counted again from what libxml2
  // parsed, in case the two ever disagree.
  if (static_cast<size_t>(nb_attributes) > s->limits.attributes_per_element ||
      static_cast<size_t>(nb_namespaces) > s->limits.namespaces_per_element ||
      (s->namespaces += static_cast<size_t>(nb_namespaces)) > s->limits.namespaces) {
    return s->Fail("an element has too many attributes or namespace declarations");
  }
  xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                        nb_defaulted, attributes);
}

void OnEndElement(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri) {
  ParseState* s = StateOf(ctx);
  s->in_text = false;
  if (s->depth == s->signature_depth) s->signature_depth = 0;
  --s->depth;
  xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

void OnCharacters(void* ctx, const xmlChar* ch, int len) {
  ParseState* s = StateOf(ctx);
  if (!s->in_text && !s->CountNode()) return;
  s->in_text = true;
  xmlSAX2Characters(ctx, ch, len);
}

void OnCData(void* ctx, const xmlChar* value, int len) {
  ParseState* s = StateOf(ctx);
  s->in_text = false;
  if (!s->CountNode()) return;
  xmlSAX2CDataBlock(ctx, value, len);
}

void OnComment(void* ctx, const xmlChar* value) {
  ParseState* s = StateOf(ctx);
  s->in_text = false;
  if (!s->CountNode()) return;
  xmlSAX2Comment(ctx, value);
}

void OnProcessingInstruction(void* ctx, const xmlChar* target, const xmlChar* data) {
  ParseState* s = StateOf(ctx);
  s->in_text = false;
  if (!s->CountNode()) return;
  xmlSAX2ProcessingInstruction(ctx, target, data);
}

void OnDoctype(void* ctx, const xmlChar* /*name*/, const xmlChar* /*external_id*/,
               const xmlChar* /*system_id*/) {
  StateOf(ctx)->doctype = true;
  xmlStopParser(static_cast<xmlParserCtxtPtr>(ctx));
}

// libxml2 asks for the next chunk: scan it, then hand it over.
int ReadChunk(void* context, char* buffer, int len) {
  auto* s = static_cast<ParseState*>(context);
  // After a well-formedness error libxml2 keeps scanning with SAX disabled: give it no more.
  if (!s->error.empty() || (s->ctxt != nullptr && !s->ctxt->wellFormed)) return 0;
  const size_t n = std::min(s->rest.size(), static_cast<size_t>(std::max(len, 0)));
  std::string why = s->scanner.Feed(s->rest.substr(0, n));
  if (!why.empty()) {
    s->error = std::move(why);
    return -1;
  }
  std::memcpy(buffer, s->rest.data(), n);
  s->rest.remove_prefix(n);
  s->fed += n;
  return static_cast<int>(n);
}

// Only UTF-8 (with or without a byte order mark): the scanner reads bytes, and every list is
// UTF-8. UTF-16 and UTF-32 are recognised by their BOM or the zero bytes around the first '<'.
bool LooksUtf8(std::string_view b) {
  if (b.size() >= 2 &&
      ((static_cast<unsigned char>(b[0]) == 0xFE && static_cast<unsigned char>(b[1]) == 0xFF) ||
       (static_cast<unsigned char>(b[0]) == 0xFF && static_cast<unsigned char>(b[1]) == 0xFE))) {
    return false;
  }
  return b.size() < 2 || (b[0] != '\0' && b[1] != '\0');
}

}  // namespace

Result<DocPtr> ParseDocument(std::string_view bytes, std::string_view what, ParseStats* stats,
                             const ParseLimits& limits) {
  const std::string w(what);
  if (bytes.empty()) return Status::Invalid(w + ": empty document");
  if (bytes.size() > kMaxDocumentBytes) {
    return Status::Invalid(w + ": document is " + std::to_string(bytes.size()) +
                           " bytes; the limit is " + std::to_string(kMaxDocumentBytes));
  }
  if (!LooksUtf8(bytes)) return Status::Invalid(w + ": only UTF-8 documents are accepted");
  ParseState state{limits};
  state.rest = bytes;
  xmlParserCtxtPtr ctxt =
      xmlCreateIOParserCtxt(nullptr, nullptr, &ReadChunk, nullptr, &state, XML_CHAR_ENCODING_NONE);
  if (ctxt == nullptr) return Status::Internal(w + ": cannot create an XML parser");
  std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)> owner(ctxt, &xmlFreeParserCtxt);
  state.ctxt = ctxt;
  // NOERROR/NOWARNING only silence printing; the error stays in ctxt->lastError. IGNORE_ENC: an
  // encoding declaration never switches the decoder away from UTF-8.
  xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                              XML_PARSE_BIG_LINES | XML_PARSE_COMPACT | XML_PARSE_IGNORE_ENC);
  ctxt->_private = &state;
  // Set after the options, which may reset handlers.
  xmlSAXHandler* sax = ctxt->sax;
  sax->internalSubset = &OnDoctype;
  sax->startElementNs = &OnStartElement;
  sax->endElementNs = &OnEndElement;
  sax->characters = &OnCharacters;
  sax->ignorableWhitespace = &OnCharacters;
  sax->cdataBlock = &OnCData;
  sax->comment = &OnComment;
  sax->processingInstruction = &OnProcessingInstruction;
  xmlParseDocument(ctxt);
  DocPtr doc(ctxt->myDoc);
  ctxt->myDoc = nullptr;
  if (state.doctype || (doc && doc->intSubset != nullptr)) {
    return Status::Invalid(w + ": a DOCTYPE is not allowed");
  }
  if (!state.error.empty()) return Status::Invalid(w + ": " + state.error);
  if (!ctxt->wellFormed || !doc) {
    const xmlError* e = xmlCtxtGetLastError(ctxt);
    return Status::Invalid(w + ": not well-formed XML: " +
                           (e != nullptr ? ErrorLine(e) : std::string("unknown error")));
  }
  if (xmlDocGetRootElement(doc.get()) == nullptr) {
    return Status::Invalid(w + ": no root element");
  }
  if (stats != nullptr) {
    stats->nodes = state.nodes;
    stats->signatures = state.signatures;
    stats->last_root_child = state.scanner.LastRootChild();
  }
  return doc;
}

}  // namespace medmij::signer::internal
