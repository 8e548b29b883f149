// Signer: enveloped XML signatures spliced into the caller's bytes.
//
// Sign() parses once, signs on the DOM, serialises only the ds:Signature element and inserts it
// into the original bytes just before the root's end tag. The DOM had the whitespace before that
// end tag as the root's last text node and the signature was appended after it, so the spliced
// bytes parse back into exactly the DOM that was signed.
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/openssl/x509.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "signer/internal.h"
#include "signer/signer.h"
#include "signer/x509_util.h"

namespace medmij::signer {

using internal::DocPtr;
using internal::ErrorScope;

struct Signer::Impl {
  xmlSecKeyPtr key = nullptr;  // private key + X509 data (signing cert first, then the chain)
  bool ec = false;
  std::string subject;
  Time not_before{};
  Time not_after{};
  std::string certificate_file;
  mutable std::mutex key_mu;  // xmlSecKeyDuplicate reads the key; serialise it to be safe
  ~Impl() {
    if (key != nullptr) xmlSecKeyDestroy(key);
  }
};

Signer::Signer() : impl_(std::make_unique<Impl>()) {}
Signer::~Signer() = default;

namespace {

Status AdoptCert(xmlSecKeyDataPtr data, X509* cert, bool key_cert, const std::string& what) {
  X509* copy = X509_dup(cert);
  if (copy == nullptr) return Status::Internal(what + ": cannot copy certificate");
  int rc = key_cert ? xmlSecOpenSSLKeyDataX509AdoptKeyCert(data, copy)
                    : xmlSecOpenSSLKeyDataX509AdoptCert(data, copy);
  if (rc < 0) {
    X509_free(copy);
    return Status::Internal(what + ": xmlsec refused the certificate");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Signer>> Signer::Load(const std::filesystem::path& key,
                                             const std::filesystem::path& certificate,
                                             const std::filesystem::path& chain, Time now) {
  ErrorScope errors;
  const std::string key_what = "signing key " + key.string();
  const std::string cert_what = "signing certificate " + certificate.string();
  MEDMIJ_ASSIGN_OR_RETURN(std::string key_pem, x509::ReadFile(key, key_what));
  MEDMIJ_ASSIGN_OR_RETURN(std::string cert_pem, x509::ReadFile(certificate, cert_what));
  MEDMIJ_ASSIGN_OR_RETURN(x509::PkeyPtr pkey, x509::ParsePrivateKey(key_pem, key_what));
  const int type = EVP_PKEY_get_base_id(pkey.get());
  if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC) {
    return Status::Invalid(key_what + ": key type is neither RSA nor EC");
  }
  MEDMIJ_ASSIGN_OR_RETURN(std::vector<x509::CertPtr> certs,
                          x509::ParseCertificates(cert_pem, cert_what));
  X509* cert = certs.front().get();
  if (X509_check_private_key(cert, pkey.get()) != 1) {
    ERR_clear_error();
    return Status::Invalid(key_what + " does not match " + cert_what);
  }
  auto impl = std::make_unique<Impl>();
  impl->ec = type == EVP_PKEY_EC;
  impl->subject = x509::SubjectRfc2253(cert);
  impl->not_before = x509::NotBefore(cert);
  impl->not_after = x509::NotAfter(cert);
  impl->certificate_file = certificate.string();
  MEDMIJ_RETURN_IF_ERROR(x509::CheckValidAt(cert, now, cert_what));

  std::vector<x509::CertPtr> chain_certs;
  if (!chain.empty()) {
    const std::string chain_what = "certificate chain " + chain.string();
    MEDMIJ_ASSIGN_OR_RETURN(std::string chain_pem, x509::ReadFile(chain, chain_what));
    MEDMIJ_ASSIGN_OR_RETURN(chain_certs, x509::ParseCertificates(chain_pem, chain_what));
    bool issuer_found = false;
    for (const auto& c : chain_certs) {
      if (X509_check_issued(c.get(), cert) == X509_V_OK) issuer_found = true;
    }
    if (!issuer_found) {
      return Status::Invalid(chain_what + " does not contain the issuer of " + cert_what);
    }
  }

  // Build the xmlsec key from the key and certificates already checked above.
  xmlSecKeyPtr xkey = xmlSecKeyCreate();
  if (xkey == nullptr) return Status::Internal("signer: xmlSecKeyCreate failed");
  impl->key = xkey;
  EVP_PKEY_up_ref(pkey.get());
  xmlSecKeyDataPtr value = xmlSecOpenSSLEvpKeyAdopt(pkey.get());
  if (value == nullptr) {
    EVP_PKEY_free(pkey.get());
    return Status::Internal(key_what + ": xmlsec refused the key: " + errors.Summary());
  }
  if (xmlSecKeySetValue(xkey, value) < 0) {
    xmlSecKeyDataDestroy(value);
    return Status::Internal(key_what + ": xmlsec refused the key: " + errors.Summary());
  }
  xmlSecKeyDataPtr x509data = xmlSecKeyEnsureData(xkey, xmlSecOpenSSLKeyDataX509Id);
  if (x509data == nullptr) return Status::Internal("signer: cannot attach X509 data");
  // KeyInfo lists the certificates in this order: the signing certificate, then the chain.
  MEDMIJ_RETURN_IF_ERROR(AdoptCert(x509data, cert, /*key_cert=*/true, cert_what));
  MEDMIJ_RETURN_IF_ERROR(AdoptCert(x509data, cert, /*key_cert=*/false, cert_what));
  for (const auto& c : chain_certs) {
    MEDMIJ_RETURN_IF_ERROR(AdoptCert(x509data, c.get(), /*key_cert=*/false, "chain"));
  }
  std::unique_ptr<Signer> signer(new Signer());
  signer->impl_ = std::move(impl);
  return signer;
}

Status Signer::CheckUsableAt(Time now) const {
  if (now < impl_->not_before) {
    return Status::Refused("signing certificate " + impl_->certificate_file +
                           " is not valid until " + FormatTime(impl_->not_before));
  }
  if (now >= impl_->not_after) {
    return Status::Refused("signing certificate " + impl_->certificate_file + " expired at " +
                           FormatTime(impl_->not_after));
  }
  return Status::Ok();
}

std::string Signer::SubjectName() const {
  return impl_->subject;
}
Time Signer::NotAfter() const {
  return impl_->not_after;
}

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Offset of "</qname" closing the root, when only whitespace follows the end tag; npos otherwise.
size_t RootEndTagOffset(std::string_view bytes, const std::string& qname) {
  size_t end = bytes.size();
  while (end > 0 && IsSpace(bytes[end - 1])) --end;
  if (end == 0 || bytes[end - 1] != '>') return std::string_view::npos;
  --end;
  while (end > 0 && IsSpace(bytes[end - 1])) --end;
  const std::string open = "</" + qname;
  if (end < open.size() || bytes.substr(end - open.size(), open.size()) != open) {
    return std::string_view::npos;
  }
  return end - open.size();
}

struct DSigCtxFree {
  void operator()(xmlSecDSigCtx* c) const { xmlSecDSigCtxDestroy(c); }
};

}  // namespace

namespace {

struct SigningKey {
  xmlSecKeyPtr key;
  std::mutex* mu;
  bool ec;
};

Result<std::string> SignParsed(const SigningKey& impl, xmlDoc* doc, std::string_view bytes,
                               ErrorScope& errors);

}  // namespace

Result<std::string> Signer::Sign(std::string_view unsigned_xml) const {
  ErrorScope errors;
  MEDMIJ_ASSIGN_OR_RETURN(DocPtr doc, internal::ParseDocument(unsigned_xml, "sign"));
  return SignParsed({impl_->key, &impl_->key_mu, impl_->ec}, doc.get(), unsigned_xml, errors);
}

Result<std::string> Signer::SignValidated(std::string_view unsigned_xml, ListKind list,
                                          const SchemaSet& schemas) const {
  ErrorScope errors;
  MEDMIJ_ASSIGN_OR_RETURN(DocPtr doc, internal::ParseDocument(unsigned_xml, "sign"));
  MEDMIJ_RETURN_IF_ERROR(internal::SchemaAccess::ValidateDoc(schemas, list, doc.get()));
  return SignParsed({impl_->key, &impl_->key_mu, impl_->ec}, doc.get(), unsigned_xml, errors);
}

namespace {

Result<std::string> SignParsed(const SigningKey& impl, xmlDoc* doc, std::string_view bytes,
                               ErrorScope& errors) {
  xmlNode* root = xmlDocGetRootElement(doc);
  const internal::ListInfo* info = internal::InfoForRoot(root);
  if (info == nullptr) {
    return Status::Invalid(std::string("sign: root element ") +
                           reinterpret_cast<const char*>(root->name) +
                           " is not a MedMij list in its release namespace");
  }
  if (xmlSecFindChild(root, xmlSecNodeSignature, xmlSecDSigNs) != nullptr) {
    return Status::Invalid("sign: the document is already signed");
  }
  std::string qname = reinterpret_cast<const char*>(root->name);
  if (root->ns->prefix != nullptr) {
    qname = std::string(reinterpret_cast<const char*>(root->ns->prefix)) + ":" + qname;
  }
  const size_t splice = RootEndTagOffset(bytes, qname);
  if (splice == std::string_view::npos) {
    return Status::Invalid("sign: the document must end with the root end tag </" + qname +
                           "> (only whitespace after it)");
  }

  xmlNode* sig = xmlSecTmplSignatureCreateNsPref(
      doc, xmlSecTransformExclC14NId,
      impl.ec ? xmlSecTransformEcdsaSha256Id : xmlSecTransformRsaSha256Id, nullptr,
      internal::Xml("ds"));
  if (sig == nullptr) return Status::Internal("sign: cannot create the signature template");
  // Appended after the whitespace text that precedes the end tag: exactly where the splice
  // below puts the serialised element.
  if (xmlAddChild(root, sig) == nullptr) {
    xmlFreeNode(sig);
    return Status::Internal("sign: cannot add the signature template");
  }
  // URI must be "" (the whole document): nullptr would emit a Reference without URI.
  xmlNode* ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, nullptr,
                                                 internal::Xml(""), nullptr);
  if (ref == nullptr ||
      xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) == nullptr ||
      xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) == nullptr) {
    return Status::Internal("sign: cannot build the Reference: " + errors.Summary());
  }
  xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(sig, nullptr);
  if (key_info == nullptr || xmlSecTmplKeyInfoAddX509Data(key_info) == nullptr) {
    return Status::Internal("sign: cannot build KeyInfo: " + errors.Summary());
  }

  std::unique_ptr<xmlSecDSigCtx, DSigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return Status::Internal("sign: cannot create a signature context");
  {
    // The context frees its signKey: it gets its own copy.
    std::lock_guard<std::mutex> lock(*impl.mu);
    ctx->signKey = xmlSecKeyDuplicate(impl.key);
  }
  if (ctx->signKey == nullptr) return Status::Internal("sign: cannot copy the signing key");
  if (xmlSecDSigCtxSign(ctx.get(), sig) < 0) {
    return Status::Internal("sign: xmlsec could not sign: " + errors.Summary());
  }

  std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buf(xmlBufferCreate(), &xmlBufferFree);
  if (!buf || xmlNodeDump(buf.get(), doc, sig, 0, 0) < 0) {
    return Status::Internal("sign: cannot serialise the signature");
  }
  std::string_view sig_bytes(reinterpret_cast<const char*>(xmlBufferContent(buf.get())),
                             static_cast<size_t>(xmlBufferLength(buf.get())));
  std::string out;
  out.reserve(bytes.size() + sig_bytes.size());
  out.append(bytes.substr(0, splice));
  out.append(sig_bytes);
  out.append(bytes.substr(splice));
  return out;
}

}  // namespace

}  // namespace medmij::signer
