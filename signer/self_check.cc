// SelfCheck: the registry's check of its own signed lists before they are archived (signer.h).
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <string>
#include <vector>

#include "registry/common/text.h"
#include "signer/internal.h"
#include "signer/signer.h"
#include "signer/x509_util.h"

namespace medmij::signer {
namespace {

struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct CertStackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};

const xmlNode* Child(const xmlNode* parent, const char* name) {
  for (const xmlNode* n = parent ? parent->children : nullptr; n != nullptr; n = n->next) {
    if (internal::IsElement(n, internal::kDsigNs, name)) return n;
  }
  return nullptr;
}

x509::CertPtr FromDer(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return x509::CertPtr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// XML DSig's ECDSA value (r||s, each the field's size) as the DER OpenSSL verifies.
std::optional<std::string> EcdsaRawToDer(std::string_view raw) {
  if (raw.empty() || raw.size() % 2 != 0) return std::nullopt;
  const int half = static_cast<int>(raw.size() / 2);
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(p, half, nullptr);
  BIGNUM* s = BN_bin2bn(p + half, half, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace

struct SelfCheck::Impl {
  std::unique_ptr<X509_STORE, StoreFree> anchors;
  std::string description;
};

SelfCheck::SelfCheck() : impl_(std::make_unique<Impl>()) {}
SelfCheck::~SelfCheck() = default;

const std::string& SelfCheck::anchor() const {
  return impl_->description;
}

Result<std::unique_ptr<SelfCheck>> SelfCheck::Load(const std::filesystem::path& trust_anchor,
                                                   const std::filesystem::path& chain,
                                                   const std::filesystem::path& certificate) {
  MEDMIJ_ASSIGN_OR_RETURN(internal::AnchorChoice choice,
                          internal::ChooseRegistryAnchor(trust_anchor, chain, certificate));
  std::unique_ptr<SelfCheck> check(new SelfCheck());
  check->impl_->anchors.reset(X509_STORE_new());
  if (!check->impl_->anchors) return Status::Internal("self-check: " + x509::OpenSslError());
  for (const auto& c : choice.certs) {
    if (X509_STORE_add_cert(check->impl_->anchors.get(), c.get()) != 1) {
      return Status::Invalid(choice.description + ": " + x509::OpenSslError());
    }
  }
  check->impl_->description = std::move(choice.description);
  return check;
}

Status SelfCheck::Check(std::string& doc, ListKind list, Time now) const {
  internal::ErrorScope errors;
  const auto range = internal::SignatureRange(doc);
  if (!range) return Status::Invalid("self-check: the list has no ds:Signature where it belongs");
  const std::string signature = doc.substr(range->first, range->second - range->first);
  // The rest of the document without its signature: cut out in place (only the root's end tag
  // follows it, so nothing large moves) and put back whatever happens.
  doc.erase(range->first, signature.size());
  auto content = internal::ContentDigest(doc, list);
  doc.insert(range->first, signature);
  if (!content.ok()) return content.status().WithContext("self-check");

  MEDMIJ_ASSIGN_OR_RETURN(internal::DocPtr sig_doc,
                          internal::ParseDocument(signature, "self-check: ds:Signature"));
  xmlNode* sig = xmlDocGetRootElement(sig_doc.get());
  xmlNode* signed_info = const_cast<xmlNode*>(Child(sig, "SignedInfo"));
  const xmlNode* digest_value = Child(Child(signed_info, "Reference"), "DigestValue");
  const xmlNode* signature_value = Child(sig, "SignatureValue");
  if (signed_info == nullptr || digest_value == nullptr || signature_value == nullptr) {
    return Status::Invalid(
        "self-check: ds:Signature lacks SignedInfo, DigestValue or "
        "SignatureValue");
  }
  auto digest = internal::DecodeBase64Lines(internal::NodeText(digest_value));
  if (!digest || *digest != *content) {
    return Status::Invalid("self-check: digest mismatch: DigestValue " +
                           (digest ? Hex(*digest) : std::string("(not base64)")) +
                           ", the document's content " + Hex(*content));
  }

  MEDMIJ_ASSIGN_OR_RETURN(std::vector<std::string> der,
                          internal::KeyInfoCertificates(sig, "self-check"));
  x509::CertPtr leaf = FromDer(der.front());
  if (!leaf) return Status::Invalid("self-check: the signing certificate is not DER");
  std::string canonical;
  if (!internal::CanonicalSubtree(signed_info, &canonical)) {
    return Status::Internal("self-check: canonicalisation of SignedInfo failed: " +
                            errors.Summary());
  }
  auto value = internal::DecodeBase64Lines(internal::NodeText(signature_value));
  if (!value) return Status::Invalid("self-check: SignatureValue is not base64");
  EVP_PKEY* key = X509_get0_pubkey(leaf.get());
  if (key == nullptr) return Status::Invalid("self-check: the signing certificate has no key");
  if (EVP_PKEY_base_id(key) == EVP_PKEY_EC) {
    auto der_sig = EcdsaRawToDer(*value);
    if (!der_sig) return Status::Invalid("self-check: SignatureValue is not an ECDSA value");
    *value = std::move(*der_sig);
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> md(EVP_MD_CTX_new());
  if (!md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(value->data()),
                       value->size(), reinterpret_cast<const unsigned char*>(canonical.data()),
                       canonical.size()) != 1) {
    ERR_clear_error();
    return Status::Invalid(
        "self-check: the signature value does not match SignedInfo under the key of " +
        x509::SubjectRfc2253(leaf.get()));
  }

  std::unique_ptr<STACK_OF(X509), CertStackFree> untrusted(sk_X509_new_null());
  for (size_t i = 1; i < der.size(); ++i) {
    x509::CertPtr c = FromDer(der[i]);
    if (!c || !untrusted || sk_X509_push(untrusted.get(), c.get()) == 0) {
      return Status::Invalid("self-check: a chain certificate in KeyInfo is not DER");
    }
    c.release();  // owned by the stack now
  }
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  if (!ctx ||
      X509_STORE_CTX_init(ctx.get(), impl_->anchors.get(), leaf.get(), untrusted.get()) != 1) {
    return Status::Internal("self-check: " + x509::OpenSslError());
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  X509_VERIFY_PARAM_set_time(
      param, static_cast<time_t>(
                 std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count()));
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return Status::Invalid("self-check: the signing certificate " +
                           x509::SubjectRfc2253(leaf.get()) + " does not chain to " +
                           impl_->description + " at " + FormatTime(now) + ": " +
                           X509_verify_cert_error_string(err));
  }
  return Status::Ok();
}

}  // namespace medmij::signer
