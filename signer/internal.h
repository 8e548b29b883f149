// Shared by the signer module's .cc files only: libxml2/xmlsec handles behind RAII, the list
// table, the hardened parser and the error collector. Never include this outside signer/ (and
// its tests and fuzz targets).
#pragma once

#include "registry/common/sha256.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "registry/common/status.h"
#include "registry/domain/types.h"
#include "signer/signer.h"
#include "signer/x509_util.h"

namespace medmij::signer::internal {

// Limits on every document this module parses (README "medmij-verify": the verifier's limits).
// A genuine list stays far inside each; each one closes a way to make the parser, the DOM or
// xmlsec cost more than linear time or unbounded memory. All are checked while parsing (see
// ParseDocument), none needs a pass of its own.
//   bytes: a signed 100 000-provider ZAL is about 115 MB.
inline constexpr size_t kMaxDocumentBytes = size_t{256} << 20;
//   element depth: the reference structure is 8 levels deep, the signature 6 below the root.
inline constexpr int kMaxDepth = 64;
//   attributes (namespace declarations not counted) per element: lists have none but the
//   signature's Algorithm and URI.
inline constexpr size_t kMaxAttributesPerElement = 16;
//   namespace declarations per element and in the whole document: a list has two (the root's
//   and ds:Signature's).
inline constexpr size_t kMaxNamespacesPerElement = 8;
inline constexpr size_t kMaxNamespaces = 64;
//   nodes (elements, text, comments, PIs, CDATA) in the document: a 100 000-provider ZAL (113
//   MB) has 4.2 million, one at the byte limit about 9.5 million; the DOM costs about 130 bytes
//   per node.
inline constexpr size_t kMaxNodes = 10'000'000;
//   and beyond the first million nodes, at most one node per 8 bytes of input read so far
//   (genuine lists have one per 13 bytes or more): a document of empty elements is refused at
//   about two million nodes (~260 MB of DOM) instead of at the limit above (~1.3 GB).
inline constexpr size_t kDenseNodes = 1'000'000;
inline constexpr size_t kMinBytesPerNode = 8;
//   nodes inside ds:Signature (ours has about 30) and certificates in its KeyInfo (the signing
//   certificate and its chain: two).
inline constexpr size_t kMaxSignatureNodes = 256;
inline constexpr size_t kMaxCertificates = 8;

// The limits above as ParseDocument applies them (tests use smaller ones).
struct ParseLimits {
  int depth = kMaxDepth;
  size_t attributes_per_element = kMaxAttributesPerElement;
  size_t namespaces_per_element = kMaxNamespacesPerElement;
  size_t namespaces = kMaxNamespaces;
  size_t nodes = kMaxNodes;
  size_t dense_nodes = kDenseNodes;
  size_t min_bytes_per_node = kMinBytesPerNode;
  size_t signature_nodes = kMaxSignatureNodes;
  size_t certificates = kMaxCertificates;
};

inline constexpr const char* kDsigNs = "http://www.w3.org/2000/09/xmldsig#";

struct ListInfo {
  ListKind kind;
  const char* root;  // local name of the root element
  const char* ns;    // its namespace
  const char* xsd;   // file name of the project's XSD (schemas/)
};
const ListInfo& InfoFor(ListKind kind);
// The list whose root element is {ns}name, or nullptr.
const ListInfo* InfoForRoot(const xmlNode* root);

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

// A lexer over the raw bytes, fed chunk by chunk before the parser reads them: it counts the
// attributes and namespace declarations of each start tag (the limits above) and refuses any
// markup declaration (<!DOCTYPE ...), so libxml2 never reads a tag over a limit. It also notes
// the byte range of the root element's last element child. It does not check well-formedness
// (the parser does); on well-formed input it sees the same tags as the parser.
class MarkupScanner {
 public:
  explicit MarkupScanner(const ParseLimits& limits = {}) : limits_(limits) {}
  // Scans the next chunk; "" or the reason the input is refused.
  std::string Feed(std::string_view chunk);
  // [begin, end) of the last element child of the root seen so far, if any.
  std::optional<std::pair<size_t, size_t>> LastRootChild() const;

 private:
  enum class State {
    kText,
    kMarkup,  // after '<'
    kEndTag,
    kBang,  // after "<!"
    kComment,
    kCData,
    kPi,
    kStartName,
    kInTag,
    kAttrName,
    kAfterName,
    kAfterEq,
    kAttrValue,
  };
  ParseLimits limits_;
  State state_ = State::kText;
  size_t offset_ = 0;     // of the chunk being scanned
  size_t tag_begin_ = 0;  // offset of the '<' of the current markup
  size_t run_ = 0;        // closing characters seen in a row (comment, CDATA, PI)
  char bang_[8] = {};
  size_t bang_len_ = 0;
  size_t attributes_ = 0;  // of the current start tag
  size_t namespaces_ = 0;  // of the current start tag
  size_t namespaces_total_ = 0;
  char name_[6] = {};  // the first bytes of the current attribute name
  size_t name_len_ = 0;
  char quote_ = 0;
  char last_tag_char_ = 0;  // the last character of the tag outside values ('/' before '>')
  size_t depth_ = 0;
  size_t last_root_child_begin_ = 0;
  size_t last_root_child_end_ = 0;
};

// What ParseDocument counted on the way.
struct ParseStats {
  size_t nodes = 0;
  size_t signatures = 0;                                     // ds:Signature elements anywhere
  std::optional<std::pair<size_t, size_t>> last_root_child;  // byte range, see MarkupScanner
};

// Parses UTF-8 XML the way every document in this module is parsed: no network, no entity
// substitution, no DTD loading, any DOCTYPE or other markup declaration refused (before the
// parser reads it), UTF-8 only, and every limit above enforced while the bytes stream in, so a
// document over a limit is refused before its hostile part is read. `what` prefixes the
// messages. `stats`, when given, receives the counts.
Result<DocPtr> ParseDocument(std::string_view bytes, std::string_view what,
                             ParseStats* stats = nullptr, const ParseLimits& limits = {});

// Errors reported by libxml2 and xmlsec on this thread while a Scope is alive (the xmlsec
// callback is process-wide and writes into a thread-local; libxml2's handler is per thread).
// Nothing is ever printed.
class ErrorScope {
 public:
  ErrorScope();
  ~ErrorScope();
  ErrorScope(const ErrorScope&) = delete;
  ErrorScope& operator=(const ErrorScope&) = delete;
  // The collected messages joined with "; " (at most a few), or "" when none.
  std::string Summary() const;
  const std::vector<std::string>& messages() const;
};

// Installed once by Libraries::Init.
void InstallErrorCallbacks();
void InstallEntityLoader();

// The embedded XSD with this file name (schemas/), or nullptr.
const char* EmbeddedSchema(std::string_view file_name);
// While alive on this thread, the entity loader serves the embedded XSDs (for xs:import) and
// still refuses everything else.
class EmbeddedSchemaLoading {
 public:
  EmbeddedSchemaLoading();
  ~EmbeddedSchemaLoading();
};

// The plain form (plain_form.cc: the shape lists::Render writes, defined there), whose exclusive
// C14N the signer computes from the bytes, without a DOM.
std::string PlainRootStartTag(const ListInfo& info);
// Offset of the root start tag when `bytes` begins like the plain form of `info`'s list (which
// rules out a DOCTYPE: it would have to precede the root); npos otherwise.
size_t PlainRootBegin(std::string_view bytes, const ListInfo& info);
// When `bytes` are in the plain form: writes their exclusive C14N (without comments) to `sink`
// in pieces and returns the offset of the root end tag. nullopt when they are not (or `sink`
// returned false); some of the output may have been written then. The result is the C14N only
// of a document a parser accepts as well-formed: the caller validates the same bytes.
std::optional<size_t> CanonicalizePlainForm(std::string_view bytes, const ListInfo& info,
                                            const std::function<bool(std::string_view)>& sink);

// Base64 with line breaks (as ds:X509Certificate and ds:SignatureValue hold it) to bytes.
std::optional<std::string> DecodeBase64Lines(std::string_view b64);
// The DER of the ds:X509Certificate elements in ds:Signature `sig`'s KeyInfo/X509Data, in
// document order (the signing certificate first); an error prefixed `what` when there is none or
// one is not base64.
Result<std::vector<std::string>> KeyInfoCertificates(const xmlNode* sig, const std::string& what);
// Exclusive C14N (without comments) of `node`'s subtree, as the signer signs SignedInfo.
bool CanonicalSubtree(xmlNode* node, std::string* out);
// SHA-256 (raw bytes) of the exclusive C14N of the unsigned list document `unsigned_doc`: from
// its bytes in the plain form, else from a DOM.
Result<std::string> ContentDigest(std::string_view unsigned_doc, ListKind list);

// The anchor the registry checks its own lists against (Verifier::LoadRegistryAnchor): the
// certificates of `trust_anchor`, else the last of `chain`, else the first of `certificate`,
// with where they came from.
struct AnchorChoice {
  std::vector<x509::CertPtr> certs;
  std::string description;  // "[signing] trust_anchor ca.pem (CN=...)"
};
Result<AnchorChoice> ChooseRegistryAnchor(const std::filesystem::path& trust_anchor,
                                          const std::filesystem::path& chain,
                                          const std::filesystem::path& certificate);

// [begin, end) of the ds:Signature element StripSignature removes, if there is one.
std::optional<std::pair<size_t, size_t>> SignatureRange(std::string_view signed_xml);

// Hex SHA-256 over `der` (certificates, in KeyInfo order) joined: what a key roll compares.
std::string CertificatesSha256(const std::vector<std::string>& der);

inline const xmlChar* Xml(const char* s) {
  return reinterpret_cast<const xmlChar*>(s);
}

// Element children helpers (libxml2 node names are UTF-8 xmlChar*).
bool IsElement(const xmlNode* n, const char* ns, const char* name);
std::string NodeText(const xmlNode* n);
// A libxml2 error as one printable line: "line N: message", what it quotes escaped.
std::string ErrorLine(const xmlError* e);

// Friend access to SchemaSet's parsed schemas.
struct SchemaAccess {
  static Status ValidateDoc(const SchemaSet& set, ListKind kind, xmlDoc* doc);
  // Validates `bytes` while parsing them (SAX, no tree); parse errors are taken from `errors`
  // (alive on this thread). REQUIRES: no DOCTYPE in `bytes` (the caller checked the prolog):
  // this parse has no DOCTYPE guard.
  static Status ValidateStream(const SchemaSet& set, ListKind kind, std::string_view bytes,
                               const ErrorScope& errors);
};

}  // namespace medmij::signer::internal
