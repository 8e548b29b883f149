// Verifier: hardened verification of signed MedMij lists (see docs/PITFALLS.md).
//
// Order: the limited, DOCTYPE-free parse (which also counts the Signatures); known root, of the
// expected kind; the one Signature must be the root's last child (xmlSecFindChild, never a tree
// search: wrapping); one Reference to "" with exactly our transforms; xmlsec with X509-only key
// data, trusted CA chain at `now`, no other URIs or transforms; the signing certificate's
// profile; then the schema, and the list fields read from the very DOM that was verified. The
// whole document's SHA-256 is taken on a second thread meanwhile.
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/openssl/x509.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

#include <charconv>
#include <cstring>
#include <system_error>
#include <thread>
#include <vector>

#include "signer/internal.h"
#include "signer/signer.h"
#include "signer/x509_util.h"

namespace medmij::signer {

using internal::DocPtr;
using internal::ErrorScope;
using internal::IsElement;
using internal::kDsigNs;

struct Verifier::Impl {
  xmlSecKeysMngrPtr mngr = nullptr;  // trust anchors only; shared read-only after Load
  std::unique_ptr<SchemaSet> schemas;
  ~Impl() {
    if (mngr != nullptr) xmlSecKeysMngrDestroy(mngr);
  }
};

Verifier::Verifier() : impl_(std::make_unique<Impl>()) {}
Verifier::~Verifier() = default;

namespace internal {
struct TrustedCertificates {
  std::vector<x509::CertPtr> certs;
};
}  // namespace internal

namespace {

// Issued by itself, and its signature verifies with its own key.
bool SelfSigned(X509* cert) {
  return X509_check_issued(cert, cert) == X509_V_OK &&
         X509_verify(cert, X509_get0_pubkey(cert)) == 1;
}

}  // namespace

Result<std::unique_ptr<Verifier>> Verifier::Load(const std::filesystem::path& trust_pem) {
  const std::string what = "trust anchors " + trust_pem.string();
  MEDMIJ_ASSIGN_OR_RETURN(std::string pem, x509::ReadFile(trust_pem, what));
  internal::TrustedCertificates trusted;
  MEDMIJ_ASSIGN_OR_RETURN(trusted.certs, x509::ParseCertificates(pem, what));
  return FromCertificates(trusted, what);
}

Result<internal::AnchorChoice> internal::ChooseRegistryAnchor(
    const std::filesystem::path& trust_anchor, const std::filesystem::path& chain,
    const std::filesystem::path& certificate) {
  const bool from_anchor = !trust_anchor.empty();
  const bool from_chain = !from_anchor && !chain.empty();
  const std::filesystem::path& file = from_anchor ? trust_anchor : from_chain ? chain : certificate;
  const std::string what = std::string(from_anchor  ? "[signing] trust_anchor "
                                       : from_chain ? "the last certificate of [signing] chain "
                                                    : "[signing] certificate ") +
                           file.string();
  MEDMIJ_ASSIGN_OR_RETURN(std::string pem, x509::ReadFile(file, what));
  MEDMIJ_ASSIGN_OR_RETURN(std::vector<x509::CertPtr> certs, x509::ParseCertificates(pem, what));
  // An anchor file may hold several roots; of a chain only its last certificate is the anchor,
  // of the signing certificate file only the first.
  AnchorChoice out;
  if (from_anchor) {
    out.certs = std::move(certs);
  } else {
    out.certs.push_back(std::move(from_chain ? certs.back() : certs.front()));
  }
  out.description = what + " (" + x509::SubjectRfc2253(out.certs.front().get()) + ")";
  return out;
}

Result<RegistryAnchor> Verifier::LoadRegistryAnchor(const std::filesystem::path& trust_anchor,
                                                    const std::filesystem::path& chain,
                                                    const std::filesystem::path& certificate) {
  MEDMIJ_ASSIGN_OR_RETURN(internal::AnchorChoice choice,
                          internal::ChooseRegistryAnchor(trust_anchor, chain, certificate));
  RegistryAnchor out;
  out.description = choice.description;
  for (const auto& c : choice.certs) {
    if (!SelfSigned(c.get())) {
      out.off_reason = out.description + " is not a self-signed root (" +
                       x509::SubjectRfc2253(c.get()) +
                       "); set [signing] trust_anchor to the root CA participants verify with";
      return out;
    }
  }
  internal::TrustedCertificates anchors{std::move(choice.certs)};
  MEDMIJ_ASSIGN_OR_RETURN(out.verifier, FromCertificates(anchors, choice.description));
  return out;
}

Result<std::unique_ptr<Verifier>> Verifier::FromCertificates(
    const internal::TrustedCertificates& trusted, const std::string& what) {
  ErrorScope errors;
  std::unique_ptr<Verifier> v(new Verifier());
  MEDMIJ_ASSIGN_OR_RETURN(v->impl_->schemas, SchemaSet::Load());
  v->impl_->mngr = xmlSecKeysMngrCreate();
  if (v->impl_->mngr == nullptr || xmlSecCryptoAppDefaultKeysMngrInit(v->impl_->mngr) < 0) {
    return Status::Internal("verifier: cannot create the keys manager: " + errors.Summary());
  }
  for (const auto& c : trusted.certs) {
    unsigned char* der = nullptr;
    int len = i2d_X509(c.get(), &der);
    if (len <= 0) return Status::Invalid(what + ": cannot encode a certificate");
    int rc =
        xmlSecCryptoAppKeysMngrCertLoadMemory(v->impl_->mngr, der, static_cast<xmlSecSize>(len),
                                              xmlSecKeyDataFormatDer, xmlSecKeyDataTypeTrusted);
    OPENSSL_free(der);
    if (rc < 0)
      return Status::Invalid(what + ": xmlsec refused a certificate: " + errors.Summary());
  }
  return v;
}

namespace {

struct DSigCtxFree {
  void operator()(xmlSecDSigCtx* c) const { xmlSecDSigCtxDestroy(c); }
};

std::string Attr(const xmlNode* n, const char* name, bool* present) {
  xmlChar* v = xmlGetNoNsProp(n, internal::Xml(name));
  *present = v != nullptr;
  if (v == nullptr) return {};
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

std::vector<xmlNode*> ElementChildren(xmlNode* n) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  }
  return out;
}

bool IsBlankText(const xmlNode* n) {
  if (n->type != XML_TEXT_NODE) return false;
  for (const xmlChar* p = n->content; p != nullptr && *p != 0; ++p) {
    if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') return false;
  }
  return true;
}

// Our own structural checks, before xmlsec sees the Signature: specific messages, and a second
// line of defence behind the xmlsec context settings.
Status CheckSignatureShape(xmlNode* root, size_t count, xmlNode** signature) {
  if (count == 0) return Status::Invalid("the list is not signed: no ds:Signature element");
  if (count > 1) {
    return Status::Invalid("the document has " + std::to_string(count) +
                           " ds:Signature elements; exactly one is allowed");
  }
  xmlNode* sig = xmlSecFindChild(root, xmlSecNodeSignature, xmlSecDSigNs);
  if (sig == nullptr) {
    return Status::Invalid("ds:Signature must be a direct child of the root element");
  }
  for (xmlNode* after = sig->next; after != nullptr; after = after->next) {
    if (!IsBlankText(after)) {
      return Status::Invalid("ds:Signature must be the last child of the root element");
    }
  }
  if (sig->ns->prefix == nullptr ||
      std::strcmp(reinterpret_cast<const char*>(sig->ns->prefix), "ds") != 0) {
    return Status::Invalid("ds:Signature must use the prefix ds");
  }
  std::vector<xmlNode*> parts = ElementChildren(sig);
  if (parts.empty() || !IsElement(parts[0], kDsigNs, "SignedInfo")) {
    return Status::Invalid("ds:Signature has no ds:SignedInfo as its first child");
  }
  // Algorithms outside what we emit get a precise reason here (xmlsec would refuse them too).
  for (xmlNode* c : ElementChildren(parts[0])) {
    bool has_alg = false;
    const std::string alg = Attr(c, "Algorithm", &has_alg);
    if (IsElement(c, kDsigNs, "CanonicalizationMethod") &&
        alg != "http://www.w3.org/2001/10/xml-exc-c14n#") {
      return Status::Invalid("ds:CanonicalizationMethod Algorithm=\"" + alg +
                             "\" is not allowed; only exclusive C14N");
    }
    if (IsElement(c, kDsigNs, "SignatureMethod") &&
        alg != "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" &&
        alg != "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256") {
      return Status::Invalid("ds:SignatureMethod Algorithm=\"" + alg +
                             "\" is not allowed; only RSA-SHA256 or ECDSA-SHA256");
    }
  }
  int references = 0;
  for (xmlNode* c : ElementChildren(parts[0])) {
    if (!IsElement(c, kDsigNs, "Reference")) continue;
    ++references;
    bool has_uri = false;
    std::string uri = Attr(c, "URI", &has_uri);
    if (!has_uri) return Status::Invalid("ds:Reference has no URI; it must be URI=\"\"");
    if (!uri.empty()) {
      return Status::Invalid("ds:Reference URI=\"" + uri +
                             "\" is not allowed; only URI=\"\" (the whole document)");
    }
    bool transforms_seen = false;
    for (xmlNode* t : ElementChildren(c)) {
      if (IsElement(t, kDsigNs, "DigestMethod")) {
        bool has_alg = false;
        const std::string alg = Attr(t, "Algorithm", &has_alg);
        if (alg != "http://www.w3.org/2001/04/xmlenc#sha256") {
          return Status::Invalid("ds:DigestMethod Algorithm=\"" + alg +
                                 "\" is not allowed; only SHA-256");
        }
      }
      if (!IsElement(t, kDsigNs, "Transforms")) continue;
      transforms_seen = true;
      // Exactly enveloped-signature then exclusive C14N, without parameters: the Reference
      // digest is then the SHA-256 of the canonical form, which --state records.
      static constexpr const char* kTransforms[] = {
          "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
          "http://www.w3.org/2001/10/xml-exc-c14n#"};
      const std::vector<xmlNode*> transforms = ElementChildren(t);
      for (size_t i = 0; i < transforms.size(); ++i) {
        bool has_alg = false;
        const std::string alg = Attr(transforms[i], "Algorithm", &has_alg);
        if (alg != kTransforms[0] && alg != kTransforms[1]) {
          return Status::Invalid("ds:Transform Algorithm=\"" + alg + "\" is not allowed");
        }
        if (i >= 2 || alg != kTransforms[i] || !ElementChildren(transforms[i]).empty()) {
          return Status::Invalid(
              "ds:Transforms must be exactly enveloped-signature then exclusive C14N, without "
              "parameters");
        }
      }
      if (transforms.size() != 2) {
        return Status::Invalid(
            "ds:Transforms must be exactly enveloped-signature then exclusive C14N, without "
            "parameters");
      }
    }
    if (!transforms_seen) {
      return Status::Invalid(
          "ds:Reference has no ds:Transforms; enveloped-signature then exclusive C14N are "
          "required");
    }
  }
  if (references != 1) {
    return Status::Invalid("ds:SignedInfo has " + std::to_string(references) +
                           " ds:Reference elements; exactly one is required");
  }
  *signature = sig;
  return Status::Ok();
}

Status EnableOnly(xmlSecDSigCtx* ctx) {
  const xmlSecTransformId signature_transforms[] = {
      xmlSecTransformExclC14NId, xmlSecTransformRsaSha256Id, xmlSecTransformEcdsaSha256Id};
  const xmlSecTransformId reference_transforms[] = {
      xmlSecTransformEnvelopedId, xmlSecTransformExclC14NId, xmlSecTransformSha256Id};
  for (xmlSecTransformId id : signature_transforms) {
    if (xmlSecDSigCtxEnableSignatureTransform(ctx, id) < 0) {
      return Status::Internal("verifier: cannot enable a signature transform");
    }
  }
  for (xmlSecTransformId id : reference_transforms) {
    if (xmlSecDSigCtxEnableReferenceTransform(ctx, id) < 0) {
      return Status::Internal("verifier: cannot enable a reference transform");
    }
  }
  // Only X509 certificates that chain to a trust anchor: never a KeyValue from the document.
  if (xmlSecPtrListAdd(&ctx->keyInfoReadCtx.enabledKeyData,
                       const_cast<void*>(static_cast<const void*>(xmlSecKeyDataX509Id))) < 0) {
    return Status::Internal("verifier: cannot restrict key data to X509");
  }
  ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
  // No STORE_SIGNEDINFO_REFERENCES: it would keep the whole canonical form in memory; the
  // Reference contexts are listed in signedInfoReferences without it.
  ctx->flags = XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
  return Status::Ok();
}

// A one-line reason from what xmlsec reported: OpenSSL's certificate verdict when there is one.
std::string CertificateReason(const ErrorScope& errors) {
  for (const std::string& m : errors.messages()) {
    size_t p = m.find("msg=");
    if (m.find("cert") != std::string::npos && p != std::string::npos) return m.substr(p + 4);
  }
  return "no certificate in KeyInfo/X509Data chains to a trust anchor (a KeyValue is never "
         "used)";
}

Result<uint64_t> ParseVolgnummer(const std::string& text) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v == 0) {
    return Status::Invalid("Volgnummer \"" + text + "\" is not a positive 64-bit number");
  }
  return v;
}

// The Reference's DigestValue (which xmlsec just checked against the content) as hex.
Result<std::string> DigestValueHex(xmlNode* signature) {
  xmlNode* signed_info = xmlSecFindChild(signature, xmlSecNodeSignedInfo, xmlSecDSigNs);
  xmlNode* ref =
      signed_info ? xmlSecFindChild(signed_info, xmlSecNodeReference, xmlSecDSigNs) : nullptr;
  xmlNode* value = ref ? xmlSecFindChild(ref, xmlSecNodeDigestValue, xmlSecDSigNs) : nullptr;
  if (value == nullptr) return Status::Invalid("signature: ds:Reference has no ds:DigestValue");
  const std::string b64 = internal::NodeText(value);
  std::unique_ptr<EVP_ENCODE_CTX, decltype(&EVP_ENCODE_CTX_free)> ctx(EVP_ENCODE_CTX_new(),
                                                                      &EVP_ENCODE_CTX_free);
  std::vector<unsigned char> raw(b64.size() + 3);
  int len = 0, tail = 0;
  if (!ctx) return Status::Internal("verifier: cannot decode base64");
  EVP_DecodeInit(ctx.get());
  if (EVP_DecodeUpdate(ctx.get(), raw.data(), &len,
                       reinterpret_cast<const unsigned char*>(b64.data()),
                       static_cast<int>(b64.size())) < 0 ||
      EVP_DecodeFinal(ctx.get(), raw.data() + len, &tail) != 1 || len + tail != 32) {
    return Status::Invalid("signature: ds:DigestValue is not a base64 SHA-256 digest");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (int i = 0; i < 32; ++i) {
    hex += kHex[raw[static_cast<size_t>(i)] >> 4];
    hex += kHex[raw[static_cast<size_t>(i)] & 15];
  }
  return hex;
}

// Sha256Hex of a document on a second thread (or on this one when none can be started).
class BackgroundSha256 {
 public:
  explicit BackgroundSha256(std::string_view bytes) : bytes_(bytes) {
    try {
      worker_ = std::thread([this] { hex_ = Sha256Hex(bytes_); });
    } catch (const std::system_error&) {
      hex_ = Sha256Hex(bytes_);
    }
  }
  ~BackgroundSha256() {
    if (worker_.joinable()) worker_.join();
  }
  BackgroundSha256(const BackgroundSha256&) = delete;
  BackgroundSha256& operator=(const BackgroundSha256&) = delete;
  std::string Get() {
    if (worker_.joinable()) worker_.join();
    return hex_;
  }

 private:
  std::string_view bytes_;
  std::string hex_;
  std::thread worker_;
};

}  // namespace

Result<VerifiedList> Verifier::Verify(std::string_view document, Time now,
                                      std::optional<ListKind> expected) const {
  ErrorScope errors;
  internal::ParseStats stats;
  MEDMIJ_ASSIGN_OR_RETURN(DocPtr doc, internal::ParseDocument(document, "list", &stats));
  BackgroundSha256 sha256(document);
  xmlNode* root = xmlDocGetRootElement(doc.get());
  const internal::ListInfo* info = internal::InfoForRoot(root);
  if (info == nullptr) {
    return Status::Invalid(
        std::string("root element ") + reinterpret_cast<const char*>(root->name) +
        (root->ns != nullptr
             ? std::string(" in namespace ") + reinterpret_cast<const char*>(root->ns->href)
             : std::string(" without namespace")) +
        " is not a MedMij list");
  }
  if (expected && *expected != info->kind) {
    return Status::Invalid(std::string("the document is the ") + std::string(ToString(info->kind)) +
                           " (root element " + info->root + "), not the expected " +
                           std::string(ToString(*expected)));
  }
  xmlNode* sig = nullptr;
  MEDMIJ_RETURN_IF_ERROR(CheckSignatureShape(root, stats.signatures, &sig));
  // The scanner's range of the root's last element child is the Signature's bytes.
  if (!stats.last_root_child ||
      !document.substr(stats.last_root_child->first).starts_with("<ds:Signature")) {
    return Status::Internal("verifier: the ds:Signature element's bytes were not found");
  }

  std::unique_ptr<xmlSecDSigCtx, DSigCtxFree> ctx(xmlSecDSigCtxCreate(impl_->mngr));
  if (!ctx) return Status::Internal("verifier: cannot create a signature context");
  MEDMIJ_RETURN_IF_ERROR(EnableOnly(ctx.get()));
  ctx->keyInfoReadCtx.certsVerificationTime =
      static_cast<time_t>(std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count());

  const int rc = xmlSecDSigCtxVerify(ctx.get(), sig);
  if (rc < 0 || ctx->status != xmlSecDSigStatusSucceeded) {
    if (ctx->signKey == nullptr) {
      return Status::Invalid(
          "signature: no trusted signing certificate (it must chain to a "
          "trust anchor and be valid at " +
          FormatTime(now) + "): " + CertificateReason(errors));
    }
    if (rc < 0) return Status::Invalid("signature: verification failed: " + errors.Summary());
    xmlSecDSigReferenceCtxPtr ref =
        static_cast<xmlSecDSigReferenceCtxPtr>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0));
    if (ref != nullptr && ref->status != xmlSecDSigStatusSucceeded) {
      return Status::Invalid("signature: digest mismatch: the list was changed after signing");
    }
    return Status::Invalid("signature: the signature value does not match the signed content");
  }

  // The certificate xmlsec verified the signature with.
  X509* cert = nullptr;
  if (xmlSecKeyDataPtr x509 = xmlSecKeyGetData(ctx->signKey, xmlSecOpenSSLKeyDataX509Id)) {
    cert = xmlSecOpenSSLKeyDataX509GetKeyCert(x509);
  }
  if (cert == nullptr) return Status::Invalid("signature: no X509 certificate for the key");
  const std::string subject = x509::SubjectRfc2253(cert);
  MEDMIJ_RETURN_IF_ERROR(
      x509::CheckSigningProfile(cert, "signature: signing certificate " + subject));

  MEDMIJ_RETURN_IF_ERROR(
      internal::SchemaAccess::ValidateDoc(*impl_->schemas, info->kind, doc.get()));

  VerifiedList out;
  out.list = info->kind;
  out.signer_subject = subject;
  for (xmlNode* c = root->children; c != nullptr; c = c->next) {
    if (IsElement(c, info->ns, "Volgnummer")) {
      MEDMIJ_ASSIGN_OR_RETURN(out.volgnummer, ParseVolgnummer(internal::NodeText(c)));
    } else if (IsElement(c, info->ns, "Tijdstempel")) {
      out.tijdstempel = internal::NodeText(c);
    }
  }
  MEDMIJ_ASSIGN_OR_RETURN(out.signed_content_sha256, DigestValueHex(sig));
  out.signature_begin = stats.last_root_child->first;
  out.signature_end = stats.last_root_child->second;
  out.sha256 = sha256.Get();
  return out;
}

std::string StrictForm(std::string_view document, const VerifiedList& v) {
  std::string out;
  out.reserve(document.size() - (v.signature_end - v.signature_begin));
  out.append(document.substr(0, v.signature_begin));
  out.append(document.substr(v.signature_end));
  return out;
}

}  // namespace medmij::signer
