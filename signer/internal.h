// Shared by the signer module's .cc files only: libxml2/xmlsec handles behind RAII, the list
// table, the hardened parser and the error collector. Never include this outside signer/.
#pragma once

#include "registry/common/sha256.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <cstddef>
#include <cstdint>
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

namespace medmij::signer::internal {

// Upper bounds for any document handed to the parser (signed lists are ~60 MB at 100 000
// providers; the reference structure is 8 levels deep, the signature 6 below the root).
inline constexpr size_t kMaxDocumentBytes = size_t{256} << 20;
inline constexpr int kMaxDepth = 64;

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

// Parses UTF-8 XML the way every document in this module is parsed: no network, no entity
// substitution, no DTD loading, any DOCTYPE refused (the parser stops at it, before any
// entity declaration is read), at most kMaxDocumentBytes. `what` prefixes the messages.
Result<DocPtr> ParseDocument(std::string_view bytes, std::string_view what);

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

// [begin, end) of the ds:Signature element StripSignature removes, if there is one.
std::optional<std::pair<size_t, size_t>> SignatureRange(std::string_view signed_xml);

inline const xmlChar* Xml(const char* s) {
  return reinterpret_cast<const xmlChar*>(s);
}

// Element children helpers (libxml2 node names are UTF-8 xmlChar*).
bool IsElement(const xmlNode* n, const char* ns, const char* name);
std::string NodeText(const xmlNode* n);
// The first error line of a libxml2 error: "line N: message" on one line.
std::string OneLine(const xmlError* e);

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
