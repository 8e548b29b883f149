// SchemaSet: the project's XSDs, parsed once from the embedded copies.
#include <libxml/xmlIO.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>

#include "signer/internal.h"
#include "signer/signer.h"

namespace medmij::signer {

using internal::ErrorScope;
using internal::InfoFor;

struct SchemaSet::Impl {
  std::map<ListKind, xmlSchemaPtr> schemas;
  ~Impl() {
    for (auto& [kind, s] : schemas) xmlSchemaFree(s);
  }
};

SchemaSet::SchemaSet() : impl_(std::make_unique<Impl>()) {}
SchemaSet::~SchemaSet() = default;

namespace {

void FirstSchemaError(void* ctx, xmlErrorPtr e) {
  auto* first = static_cast<std::string*>(ctx);
  if (e != nullptr && first->empty()) *first = internal::ErrorLine(e);
}

// The unread rest of a document, handed to libxml2 in chunks.
struct MemoryReader {
  std::string_view rest;
  static int Read(void* ctx, char* buffer, int len) {
    auto* self = static_cast<MemoryReader*>(ctx);
    const size_t n = std::min(self->rest.size(), static_cast<size_t>(len < 0 ? 0 : len));
    std::memcpy(buffer, self->rest.data(), n);
    self->rest.remove_prefix(n);
    return static_cast<int>(n);
  }
};

}  // namespace

Result<std::unique_ptr<SchemaSet>> SchemaSet::Load() {
  ErrorScope errors;
  internal::EmbeddedSchemaLoading loading;  // lets xs:import reach the embedded xmldsig subset
  std::unique_ptr<SchemaSet> set(new SchemaSet());
  for (ListKind kind : kAllLists) {
    const internal::ListInfo& info = InfoFor(kind);
    const char* text = internal::EmbeddedSchema(info.xsd);
    if (text == nullptr) return Status::Internal(std::string("schema ") + info.xsd + " missing");
    xmlSchemaParserCtxtPtr pctxt =
        xmlSchemaNewMemParserCtxt(text, static_cast<int>(std::char_traits<char>::length(text)));
    if (pctxt == nullptr) return Status::Internal(std::string("schema ") + info.xsd);
    std::string first;
    xmlSchemaSetParserStructuredErrors(pctxt, &FirstSchemaError, &first);
    xmlSchemaPtr schema = xmlSchemaParse(pctxt);
    xmlSchemaFreeParserCtxt(pctxt);
    if (schema == nullptr) {
      return Status::Internal(std::string("schema ") + info.xsd +
                              " does not compile: " + (first.empty() ? errors.Summary() : first));
    }
    set->impl_->schemas[kind] = schema;
  }
  return set;
}

Status internal::SchemaAccess::ValidateDoc(const SchemaSet& set, ListKind kind, xmlDoc* doc) {
  const ListInfo& info = InfoFor(kind);
  const xmlNode* root = xmlDocGetRootElement(doc);
  if (!IsElement(root, info.ns, info.root)) {
    std::string found = root != nullptr ? reinterpret_cast<const char*>(root->name) : "none";
    return Status::Invalid(std::string("schema ") + info.xsd + ": root element is " + found +
                           ", expected " + info.root + " in namespace " + info.ns);
  }
  auto it = set.impl_->schemas.find(kind);
  if (it == set.impl_->schemas.end()) return Status::Internal("schema not loaded");
  // One validation context per call: the parsed schema is shared read-only.
  xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(it->second);
  if (vctxt == nullptr) return Status::Internal("cannot create a schema validation context");
  std::string first;
  xmlSchemaSetValidStructuredErrors(vctxt, &FirstSchemaError, &first);
  int rc = xmlSchemaValidateDoc(vctxt, doc);
  xmlSchemaFreeValidCtxt(vctxt);
  if (rc == 0) return Status::Ok();
  if (rc > 0) {
    return Status::Invalid(std::string("schema ") + info.xsd + ": " +
                           (first.empty() ? "document is not valid" : first));
  }
  return Status::Internal(std::string("schema ") + info.xsd + ": validation failed internally" +
                          (first.empty() ? "" : ": " + first));
}

Status internal::SchemaAccess::ValidateStream(const SchemaSet& set, ListKind kind,
                                              std::string_view bytes, const ErrorScope& errors) {
  const ListInfo& info = InfoFor(kind);
  if (bytes.size() > kMaxDocumentBytes) {
    return Status::Invalid(std::string("schema ") + info.xsd + ": document is " +
                           std::to_string(bytes.size()) + " bytes; the limit is " +
                           std::to_string(kMaxDocumentBytes));
  }
  auto it = set.impl_->schemas.find(kind);
  if (it == set.impl_->schemas.end()) return Status::Internal("schema not loaded");
  std::unique_ptr<xmlSchemaValidCtxt, decltype(&xmlSchemaFreeValidCtxt)> vctxt(
      xmlSchemaNewValidCtxt(it->second), &xmlSchemaFreeValidCtxt);
  if (!vctxt) return Status::Internal("cannot create a schema validation context");
  std::string first;
  xmlSchemaSetValidStructuredErrors(vctxt.get(), &FirstSchemaError, &first);
  // Read through callbacks in chunks, as from a file: the parser keeps a small window instead
  // of a copy of the document. (A "static" memory buffer would avoid even that, but libxml2
  // 2.9.14 misparses large static buffers: validation errors on valid lists.) The parser
  // context xmlSchemaValidateStream creates takes ownership of the buffer.
  MemoryReader reader{bytes};
  xmlParserInputBufferPtr input =
      xmlParserInputBufferCreateIO(&MemoryReader::Read, nullptr, &reader, XML_CHAR_ENCODING_NONE);
  if (input == nullptr) return Status::Internal("cannot create a parser input buffer");
  // No callbacks: nothing is built, the schema plug-in sees every event.
  xmlSAXHandler sax{};
  sax.initialized = XML_SAX2_MAGIC;
  const int rc = xmlSchemaValidateStream(vctxt.get(), input, XML_CHAR_ENCODING_NONE, &sax, nullptr);
  if (rc == 0 && xmlSchemaIsValid(vctxt.get()) == 1) return Status::Ok();
  if (rc >= 0) {
    std::string why = !first.empty() ? first : errors.Summary();
    return Status::Invalid(std::string("schema ") + info.xsd + ": " +
                           (why.empty() ? "document is not valid" : why));
  }
  return Status::Internal(std::string("schema ") + info.xsd + ": validation failed internally" +
                          (first.empty() ? "" : ": " + first));
}

Status SchemaSet::Validate(ListKind list, std::string_view xml) const {
  ErrorScope errors;
  MEDMIJ_ASSIGN_OR_RETURN(internal::DocPtr doc, internal::ParseDocument(xml, "list"));
  return internal::SchemaAccess::ValidateDoc(*this, list, doc.get());
}

}  // namespace medmij::signer
