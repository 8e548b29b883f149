// SigningCertificatesOf: the certificates a list this registry signed carries in its KeyInfo,
// for the key roll (the publisher compares them with the configured ones).
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "signer/internal.h"
#include "signer/signer.h"
#include "signer/x509_util.h"

namespace medmij::signer {
// Base64 (with line breaks, as KeyInfo holds it) to bytes; nullopt when it does not decode.
std::optional<std::string> internal::DecodeBase64Lines(std::string_view b64) {
  std::unique_ptr<EVP_ENCODE_CTX, decltype(&EVP_ENCODE_CTX_free)> ctx(EVP_ENCODE_CTX_new(),
                                                                      &EVP_ENCODE_CTX_free);
  if (!ctx) return std::nullopt;
  std::string raw(b64.size() / 4 * 3 + 4, '\0');
  int len = 0, tail = 0;
  EVP_DecodeInit(ctx.get());
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (EVP_DecodeUpdate(ctx.get(), out, &len, reinterpret_cast<const unsigned char*>(b64.data()),
                       static_cast<int>(b64.size())) < 0 ||
      EVP_DecodeFinal(ctx.get(), out + len, &tail) != 1) {
    return std::nullopt;
  }
  raw.resize(static_cast<size_t>(len + tail));
  return raw;
}

Result<std::vector<std::string>> internal::KeyInfoCertificates(const xmlNode* sig,
                                                               const std::string& what) {
  const xmlNode* x509_data = nullptr;
  for (const xmlNode* n = sig ? sig->children : nullptr; n != nullptr; n = n->next) {
    if (!internal::IsElement(n, internal::kDsigNs, "KeyInfo")) continue;
    for (const xmlNode* d = n->children; d != nullptr; d = d->next) {
      if (internal::IsElement(d, internal::kDsigNs, "X509Data")) x509_data = d;
    }
  }
  std::vector<std::string> der;
  for (const xmlNode* c = x509_data ? x509_data->children : nullptr; c != nullptr; c = c->next) {
    if (!internal::IsElement(c, internal::kDsigNs, "X509Certificate")) continue;
    auto bytes = DecodeBase64Lines(internal::NodeText(c));
    if (!bytes) return Status::Invalid(what + ": ds:X509Certificate is not base64");
    der.push_back(std::move(*bytes));
  }
  if (der.empty()) return Status::Invalid(what + ": KeyInfo holds no certificate");
  return der;
}

std::string internal::CertificatesSha256(const std::vector<std::string>& der) {
  std::string all;
  for (const std::string& d : der) all += d;  // DER is self-delimiting: the join is unambiguous
  return Sha256Hex(all);
}

Result<SigningCertificates> SigningCertificatesOf(std::string_view signed_xml) {
  const auto range = internal::SignatureRange(signed_xml);
  if (!range) return Status::Invalid("signing certificate: the list has no ds:Signature");
  // ds:Signature declares its own namespace: the element parses on its own.
  internal::ErrorScope errors;
  auto doc = internal::ParseDocument(signed_xml.substr(range->first, range->second - range->first),
                                     "signing certificate");
  if (!doc.ok()) return doc.status();
  MEDMIJ_ASSIGN_OR_RETURN(
      std::vector<std::string> der,
      internal::KeyInfoCertificates(xmlDocGetRootElement(doc->get()), "signing certificate"));
  const auto* p = reinterpret_cast<const unsigned char*>(der.front().data());
  x509::CertPtr leaf(d2i_X509(nullptr, &p, static_cast<long>(der.front().size())));
  if (!leaf) return Status::Invalid("signing certificate: the first ds:X509Certificate is not DER");
  SigningCertificates out;
  out.sha256 = internal::CertificatesSha256(der);
  out.subject = x509::SubjectRfc2253(leaf.get());
  out.not_after = x509::NotAfter(leaf.get());
  return out;
}

}  // namespace medmij::signer
