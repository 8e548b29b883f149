// Process-wide initialisation, the hardened parser, error collection and small helpers.
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmlsec.h>

#include <array>
#include <atomic>
#include <cstring>

#include "registry/common/text.h"
#include "signer/internal.h"
#include "signer/signer.h"

namespace medmij::signer {
namespace internal {
namespace {

// The list table of registry/domain/types.h as C strings (its fields are NUL-terminated
// literals), for libxml's comparisons.
constexpr std::array<ListInfo, kListCount> MakeLists() {
  std::array<ListInfo, kListCount> out{};
  for (size_t i = 0; i < kListCount; ++i) {
    const ListSpec& l = kListSpecs[i];
    out[i] = ListInfo{l.kind, l.root.data(), l.ns.data(), l.xsd.data()};
  }
  return out;
}
constexpr std::array<ListInfo, kListCount> kLists = MakeLists();

constexpr size_t kMaxCollected = 16;

struct Collected {
  bool active = false;
  std::vector<std::string> messages;
};
thread_local Collected t_errors;
thread_local int t_embedded_loading = 0;

void Collect(std::string msg) {
  if (!t_errors.active || t_errors.messages.size() >= kMaxCollected) return;
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  for (char& c : msg) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (!msg.empty()) t_errors.messages.push_back(std::move(msg));
}

std::string ReasonText(int reason) {
  for (xmlSecSize i = 0; i < XMLSEC_ERRORS_MAX_NUMBER; ++i) {
    const char* m = xmlSecErrorsGetMsg(i);
    if (m == nullptr) break;
    if (xmlSecErrorsGetCode(i) == reason) return m;
  }
  return "error " + std::to_string(reason);
}

void XmlsecErrorCallback(const char* /*file*/, int /*line*/, const char* func,
                         const char* error_object, const char* error_subject, int reason,
                         const char* msg) {
  std::string s;
  if (func != nullptr) s += func;
  if (error_subject != nullptr && std::strcmp(error_subject, "unknown") != 0) {
    s += s.empty() ? "" : " ";
    s += "(";
    s += error_subject;
    s += ")";
  }
  (void)error_object;
  s += s.empty() ? "" : ": ";
  s += ReasonText(reason);
  if (msg != nullptr && *msg != '\0') {
    s += ": ";
    s += msg;
  }
  Collect(std::move(s));
}

void XmlStructuredError(void* /*ctx*/, xmlErrorPtr e) {
  if (e != nullptr) Collect(ErrorLine(e));
}

void XmlGenericError(void* /*ctx*/, const char* /*msg*/, ...) {}

xmlParserInputPtr RefusingEntityLoader(const char* url, const char* /*id*/, xmlParserCtxtPtr ctxt) {
  if (t_embedded_loading > 0 && url != nullptr) {
    std::string_view u(url);
    size_t slash = u.rfind('/');
    if (slash != std::string_view::npos) u = u.substr(slash + 1);
    if (const char* xsd = EmbeddedSchema(u)) {
      return xmlNewStringInputStream(ctxt, reinterpret_cast<const xmlChar*>(xsd));
    }
  }
  Collect(std::string("external resource refused: ") + (url ? url : "(null)"));
  return nullptr;
}

}  // namespace

const ListInfo& InfoFor(ListKind kind) {
  return kLists[static_cast<size_t>(kind)];
}

const ListInfo* InfoForRoot(const xmlNode* root) {
  if (root == nullptr || root->type != XML_ELEMENT_NODE || root->ns == nullptr) return nullptr;
  for (const ListInfo& l : kLists) {
    if (IsElement(root, l.ns, l.root)) return &l;
  }
  return nullptr;
}

bool IsElement(const xmlNode* n, const char* ns, const char* name) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && n->ns != nullptr &&
         std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0 &&
         std::strcmp(reinterpret_cast<const char*>(n->ns->href), ns) == 0;
}

std::string NodeText(const xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  if (c == nullptr) return {};
  std::string s(reinterpret_cast<const char*>(c));
  xmlFree(c);
  return s;
}

std::string ErrorLine(const xmlError* e) {
  std::string_view msg = e->message != nullptr ? e->message : "unknown libxml2 error";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r' || msg.back() == ' ')) {
    msg.remove_suffix(1);
  }
  // The message may quote the input (names, values): escaped so it stays one printable line.
  std::string line = EscapeForDisplay(msg);
  if (e->line > 0) return "line " + std::to_string(e->line) + ": " + line;
  return line;
}

ErrorScope::ErrorScope() {
  t_errors.active = true;
  t_errors.messages.clear();
  // libxml2 keeps these per thread: set them on whichever thread runs the operation.
  xmlSetStructuredErrorFunc(nullptr, &XmlStructuredError);
  xmlSetGenericErrorFunc(nullptr, &XmlGenericError);
}

ErrorScope::~ErrorScope() {
  t_errors.active = false;
  t_errors.messages.clear();
}

const std::vector<std::string>& ErrorScope::messages() const {
  return t_errors.messages;
}

std::string ErrorScope::Summary() const {
  std::string s;
  for (size_t i = 0; i < t_errors.messages.size() && i < 4; ++i) {
    if (!s.empty()) s += "; ";
    s += t_errors.messages[i];
  }
  return s;
}

void InstallErrorCallbacks() {
  xmlSecErrorsSetCallback(&XmlsecErrorCallback);
  xmlSetStructuredErrorFunc(nullptr, &XmlStructuredError);
  xmlSetGenericErrorFunc(nullptr, &XmlGenericError);
}

void InstallEntityLoader() {
  xmlSetExternalEntityLoader(&RefusingEntityLoader);
}

EmbeddedSchemaLoading::EmbeddedSchemaLoading() {
  ++t_embedded_loading;
}
EmbeddedSchemaLoading::~EmbeddedSchemaLoading() {
  --t_embedded_loading;
}

}  // namespace internal

namespace {
std::atomic<bool> g_initialised{false};
}

Result<std::unique_ptr<Libraries>> Libraries::Init() {
  if (g_initialised.exchange(true)) {
    return Status::Internal("signer: Libraries::Init called twice in one process");
  }
  xmlInitParser();
  internal::InstallEntityLoader();
  internal::InstallErrorCallbacks();
  if (xmlSecInit() < 0) {
    g_initialised = false;
    return Status::Internal("signer: xmlSecInit failed");
  }
  if (xmlSecCheckVersion() != 1) {
    xmlSecShutdown();
    g_initialised = false;
    return Status::Internal("signer: loaded xmlsec library version is not compatible");
  }
  if (xmlSecCryptoAppInit(nullptr) < 0) {
    xmlSecShutdown();
    g_initialised = false;
    return Status::Internal("signer: xmlsec crypto app initialisation failed");
  }
  if (xmlSecCryptoInit() < 0) {
    xmlSecCryptoAppShutdown();
    xmlSecShutdown();
    g_initialised = false;
    return Status::Internal("signer: xmlsec-openssl initialisation failed");
  }
  // xmlSecInit may have installed its own callback or loader; ours must win.
  internal::InstallErrorCallbacks();
  internal::InstallEntityLoader();
  return std::unique_ptr<Libraries>(new Libraries());
}

Libraries::~Libraries() {
  xmlSecCryptoShutdown();
  xmlSecCryptoAppShutdown();
  xmlSecShutdown();
  xmlCleanupParser();
  g_initialised = false;
}

}  // namespace medmij::signer
