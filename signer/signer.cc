// Signer: enveloped XML signatures spliced into the caller's bytes.
//
// Sign() parses once, signs on the DOM, serialises only the ds:Signature element and inserts it
// into the original bytes just before the root's end tag. The DOM had the whitespace before that
// end tag as the root's last text node and the signature was appended after it, so the spliced
// bytes parse back into exactly the DOM that was signed.
//
// The Reference digest is the exclusive C14N of the document taken BEFORE the signature node is
// added, which is by definition what enveloped-signature + exc-c14n of URI="" yields; libxml2's
// whole-document C14N is several times cheaper than xmlsec's node-set evaluation of the same
// thing on a 100 000-provider list. SignedInfo is canonicalised (exclusive C14N of its subtree)
// and signed with OpenSSL. The stock xmlsec1 and our Verifier check every result (tests).
#include <libxml/c14n.h>
#include <libxml/xmlIO.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <xmlsec/crypto.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

#include <system_error>
#include <thread>
#include <vector>

#include "signer/internal.h"
#include "signer/signer.h"
#include "signer/x509_util.h"

namespace medmij::signer {

using internal::DocPtr;
using internal::ErrorScope;

struct Signer::Impl {
  x509::PkeyPtr key;  // read-only after Load: OpenSSL 3 keys are safe to share between threads
  bool ec = false;
  size_t ec_field_bytes = 0;              // ECDSA r and s are each this long in SignatureValue
  std::vector<std::string> certificates;  // base64 DER: the signing certificate, then the chain
  std::string certificates_sha256;        // internal::CertificatesSha256 of them
  std::string subject;
  Time not_before{};
  Time not_after{};
  std::string certificate_file;
};

Signer::Signer() : impl_(std::make_unique<Impl>()) {}
Signer::~Signer() = default;

namespace {

// Base64 in lines of 64 characters, each ended by a newline (as xmlsec writes certificates).
std::string Base64Lines(const unsigned char* data, size_t size) {
  std::string out;
  for (size_t off = 0; off < size; off += 48) {
    const size_t n = std::min<size_t>(48, size - off);
    unsigned char line[65];
    const int len = EVP_EncodeBlock(line, data + off, static_cast<int>(n));
    out.append(reinterpret_cast<const char*>(line), static_cast<size_t>(len));
    out.push_back('\n');
  }
  return out;
}

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int len =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<size_t>(len));
  return out;
}

// The certificate's base64 lines for KeyInfo; its DER is appended to `der`.
Result<std::string> CertBase64(X509* cert, const std::string& what,
                               std::vector<std::string>* der_out) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  if (len <= 0) return Status::Invalid(what + ": cannot encode the certificate");
  std::string b64 = Base64Lines(der, static_cast<size_t>(len));
  der_out->emplace_back(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return b64;
}

}  // namespace

Result<std::unique_ptr<Signer>> Signer::Load(const std::filesystem::path& key,
                                             const std::filesystem::path& certificate,
                                             const std::filesystem::path& chain, Time now) {
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
  MEDMIJ_RETURN_IF_ERROR(x509::CheckSigningProfile(cert, cert_what));
  MEDMIJ_RETURN_IF_ERROR(x509::CheckValidAt(cert, now, cert_what));

  auto impl = std::make_unique<Impl>();
  impl->ec = type == EVP_PKEY_EC;
  impl->ec_field_bytes = impl->ec ? static_cast<size_t>(EVP_PKEY_get_bits(pkey.get()) + 7) / 8 : 0;
  impl->subject = x509::SubjectRfc2253(cert);
  impl->not_before = x509::NotBefore(cert);
  impl->not_after = x509::NotAfter(cert);
  impl->certificate_file = certificate.string();
  std::vector<std::string> der;
  MEDMIJ_ASSIGN_OR_RETURN(std::string leaf, CertBase64(cert, cert_what, &der));
  impl->certificates.push_back(std::move(leaf));

  if (!chain.empty()) {
    const std::string chain_what = "certificate chain " + chain.string();
    MEDMIJ_ASSIGN_OR_RETURN(std::string chain_pem, x509::ReadFile(chain, chain_what));
    MEDMIJ_ASSIGN_OR_RETURN(std::vector<x509::CertPtr> chain_certs,
                            x509::ParseCertificates(chain_pem, chain_what));
    bool issuer_found = false;
    for (const auto& c : chain_certs) {
      if (X509_check_issued(c.get(), cert) == X509_V_OK) issuer_found = true;
      MEDMIJ_ASSIGN_OR_RETURN(std::string b64, CertBase64(c.get(), chain_what, &der));
      impl->certificates.push_back(std::move(b64));
    }
    if (!issuer_found) {
      return Status::Invalid(chain_what + " does not contain the issuer of " + cert_what);
    }
  }
  impl->certificates_sha256 = internal::CertificatesSha256(der);
  impl->key = std::move(pkey);
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
const std::string& Signer::CertificatesSha256() const {
  return impl_->certificates_sha256;
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

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

int DigestWrite(void* ctx, const char* buf, int len) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx), buf, static_cast<size_t>(len)) != 1) {
    return -1;
  }
  return len;
}

int StringWrite(void* ctx, const char* buf, int len) {
  static_cast<std::string*>(ctx)->append(buf, static_cast<size_t>(len));
  return len;
}

// Exclusive C14N without comments of the whole document, written to `write`.
bool Canonicalize(xmlDoc* doc, xmlOutputWriteCallback write, void* ctx) {
  xmlOutputBufferPtr out = xmlOutputBufferCreateIO(write, nullptr, ctx, nullptr);
  if (out == nullptr) return false;
  int rc = xmlC14NDocSaveTo(doc, nullptr, XML_C14N_EXCLUSIVE_1_0, nullptr, 0, out);
  int closed = xmlOutputBufferClose(out);
  return rc >= 0 && closed >= 0;
}

// Exclusive C14N of `node`'s subtree. Canonicalised as the root of a copy: exclusive C14N
// renders only visibly utilised namespaces, which the copy declares on its root, so the bytes
// equal those of the subtree in place, without a visibility test on every node of the list.
bool CanonicalizeSubtree(xmlNode* node, std::string* out) {
  DocPtr copy(xmlNewDoc(internal::Xml("1.0")));
  if (!copy) return false;
  xmlNode* root = xmlDocCopyNode(node, copy.get(), 1);
  if (root == nullptr) return false;
  xmlDocSetRootElement(copy.get(), root);
  return Canonicalize(copy.get(), &StringWrite, out);
}

struct SigningKey {
  EVP_PKEY* key;
  bool ec;
  size_t ec_field_bytes;
  const std::vector<std::string>* certificates;
};

// RSA PKCS#1 v1.5 or ECDSA over SHA-256 of `data`; ECDSA as r||s (XML DSig), not DER.
Result<std::string> SignBytes(const SigningKey& k, std::string_view data) {
  MdCtxPtr md(EVP_MD_CTX_new());
  size_t len = 0;
  if (!md || EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, k.key) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return Status::Internal("sign: " + x509::OpenSslError());
  }
  std::vector<unsigned char> sig(len);
  if (EVP_DigestSign(md.get(), sig.data(), &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return Status::Internal("sign: " + x509::OpenSslError());
  }
  sig.resize(len);
  if (!k.ec) return Base64Lines(sig.data(), sig.size());
  const unsigned char* p = sig.data();
  ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  if (ecdsa == nullptr) return Status::Internal("sign: bad ECDSA signature encoding");
  std::vector<unsigned char> raw(2 * k.ec_field_bytes);
  const int fb = static_cast<int>(k.ec_field_bytes);
  const bool ok = BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), raw.data(), fb) == fb &&
                  BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), raw.data() + fb, fb) == fb;
  ECDSA_SIG_free(ecdsa);
  if (!ok) return Status::Internal("sign: ECDSA signature does not fit the field size");
  return Base64Lines(raw.data(), raw.size());
}

// The serialised ds:Signature for a document whose Reference digest is `digest`, built as the
// last child of `doc`'s root (after its last text node: where the splice puts it).
Result<std::string> BuildSignature(const SigningKey& k, xmlDoc* doc, const unsigned char* digest,
                                   unsigned int digest_len, ErrorScope& errors) {
  xmlNode* root = xmlDocGetRootElement(doc);
  xmlNode* sig = xmlSecTmplSignatureCreateNsPref(
      doc, xmlSecTransformExclC14NId,
      k.ec ? xmlSecTransformEcdsaSha256Id : xmlSecTransformRsaSha256Id, nullptr,
      internal::Xml("ds"));
  if (sig == nullptr) return Status::Internal("sign: cannot create the signature template");
  // Appended after the whitespace text that precedes the end tag: exactly where the splice
  // puts the serialised element.
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
  xmlNode* digest_value = xmlSecFindChild(ref, xmlSecNodeDigestValue, xmlSecDSigNs);
  xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(sig, nullptr);
  xmlNode* x509_data = key_info != nullptr ? xmlSecTmplKeyInfoAddX509Data(key_info) : nullptr;
  xmlNode* signed_info = xmlSecFindChild(sig, xmlSecNodeSignedInfo, xmlSecDSigNs);
  xmlNode* signature_value = xmlSecFindChild(sig, xmlSecNodeSignatureValue, xmlSecDSigNs);
  if (digest_value == nullptr || x509_data == nullptr || signed_info == nullptr ||
      signature_value == nullptr) {
    return Status::Internal("sign: incomplete signature template: " + errors.Summary());
  }
  xmlNodeSetContent(digest_value, internal::Xml(Base64(digest, digest_len).c_str()));
  for (const std::string& b64 : *k.certificates) {
    xmlNode* c = xmlSecAddChild(x509_data, xmlSecNodeX509Certificate, xmlSecDSigNs);
    if (c == nullptr) return Status::Internal("sign: cannot add a certificate");
    xmlNodeSetContent(c, internal::Xml(b64.c_str()));
  }

  std::string canonical_signed_info;
  if (!CanonicalizeSubtree(signed_info, &canonical_signed_info)) {
    return Status::Internal("sign: canonicalisation of SignedInfo failed: " + errors.Summary());
  }
  MEDMIJ_ASSIGN_OR_RETURN(std::string value, SignBytes(k, canonical_signed_info));
  xmlNodeSetContent(signature_value, internal::Xml(("\n" + value).c_str()));

  std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buf(xmlBufferCreate(), &xmlBufferFree);
  if (!buf || xmlNodeDump(buf.get(), doc, sig, 0, 0) < 0) {
    return Status::Internal("sign: cannot serialise the signature");
  }
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(buf.get())),
                     static_cast<size_t>(xmlBufferLength(buf.get())));
}

// A signature and where it goes: inserted at `offset` of the unsigned bytes (before the root's
// end tag), it makes the signed document.
struct Splice {
  size_t offset = 0;
  std::string signature;
};

std::string Spliced(std::string_view bytes, const Splice& s) {
  std::string out;
  out.reserve(bytes.size() + s.signature.size());
  out.append(bytes.substr(0, s.offset));
  out.append(s.signature);
  out.append(bytes.substr(s.offset));
  return out;
}

Result<Splice> SignParsed(const SigningKey& k, xmlDoc* doc, std::string_view bytes,
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

  // The Reference digest: the document as it is now, before the signature exists.
  MdCtxPtr md(EVP_MD_CTX_new());
  if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1) {
    return Status::Internal("sign: " + x509::OpenSslError());
  }
  if (!Canonicalize(doc, &DigestWrite, md.get())) {
    return Status::Internal("sign: canonicalisation failed: " + errors.Summary());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_DigestFinal_ex(md.get(), digest, &digest_len) != 1) {
    return Status::Internal("sign: " + x509::OpenSslError());
  }

  MEDMIJ_ASSIGN_OR_RETURN(std::string sig_bytes,
                          BuildSignature(k, doc, digest, digest_len, errors));
  return Splice{splice, std::move(sig_bytes)};
}

// ---- The plain form (plain_form.cc): the digest without a DOM --------------------------------

struct PlainDigest {
  bool plain = false;
  size_t splice = 0;  // offset of the root end tag
  unsigned char md[EVP_MAX_MD_SIZE] = {};
  unsigned int md_len = 0;
};

// SHA-256 of the exclusive C14N of a plain-form document, from its bytes. `plain` is false when
// the bytes are not in the plain form (or the digest failed): nothing is claimed then.
PlainDigest DigestPlainForm(std::string_view b, const internal::ListInfo& info) {
  PlainDigest out;
  MdCtxPtr md(EVP_MD_CTX_new());
  if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1) return out;
  const std::optional<size_t> splice =
      internal::CanonicalizePlainForm(b, info, [&](std::string_view part) {
        return EVP_DigestUpdate(md.get(), part.data(), part.size()) == 1;
      });
  if (!splice || EVP_DigestFinal_ex(md.get(), out.md, &out.md_len) != 1) return out;
  out.splice = *splice;
  out.plain = true;
  return out;
}

// Validation and signature of `bytes` as `list`. A plain-form document is validated by streaming
// (no DOM) on this thread while another digests it from the bytes; anything else is parsed
// into a DOM, validated and signed as Sign() does.
Result<Splice> SignValidatedSplice(const SigningKey& k, std::string_view bytes, ListKind list,
                                   const SchemaSet& schemas) {
  ErrorScope errors;
  const internal::ListInfo& info = internal::InfoFor(list);
  if (bytes.size() <= internal::kMaxDocumentBytes &&
      internal::PlainRootBegin(bytes, info) != std::string_view::npos) {
    PlainDigest digest;
    std::thread worker;
    try {
      worker = std::thread([&] { digest = DigestPlainForm(bytes, info); });
    } catch (const std::system_error&) {
      digest = DigestPlainForm(bytes, info);  // no second thread: one after the other
    }
    Status valid = internal::SchemaAccess::ValidateStream(schemas, list, bytes, errors);
    if (worker.joinable()) worker.join();
    if (digest.plain) {
      MEDMIJ_RETURN_IF_ERROR(valid);
      // The signature depends only on the digest and the root element: build it in a document
      // holding nothing else.
      const std::string shell =
          internal::PlainRootStartTag(info) + "\n</" + std::string(info.root) + ">\n";
      MEDMIJ_ASSIGN_OR_RETURN(DocPtr doc, internal::ParseDocument(shell, "sign"));
      MEDMIJ_ASSIGN_OR_RETURN(std::string sig,
                              BuildSignature(k, doc.get(), digest.md, digest.md_len, errors));
      return Splice{digest.splice, std::move(sig)};
    }
  }
  MEDMIJ_ASSIGN_OR_RETURN(DocPtr doc, internal::ParseDocument(bytes, "sign"));
  MEDMIJ_RETURN_IF_ERROR(internal::SchemaAccess::ValidateDoc(schemas, list, doc.get()));
  return SignParsed(k, doc.get(), bytes, errors);
}

}  // namespace

bool internal::CanonicalSubtree(xmlNode* node, std::string* out) {
  return CanonicalizeSubtree(node, out);
}

Result<std::string> internal::ContentDigest(std::string_view unsigned_doc, ListKind list) {
  const internal::ListInfo& info = internal::InfoFor(list);
  if (unsigned_doc.size() <= internal::kMaxDocumentBytes &&
      internal::PlainRootBegin(unsigned_doc, info) != std::string_view::npos) {
    const PlainDigest d = DigestPlainForm(unsigned_doc, info);
    if (d.plain) return std::string(reinterpret_cast<const char*>(d.md), d.md_len);
  }
  ErrorScope errors;
  MEDMIJ_ASSIGN_OR_RETURN(DocPtr doc, internal::ParseDocument(unsigned_doc, "digest"));
  MdCtxPtr md(EVP_MD_CTX_new());
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1 ||
      !Canonicalize(doc.get(), &DigestWrite, md.get()) ||
      EVP_DigestFinal_ex(md.get(), out, &len) != 1) {
    return Status::Internal("digest: canonicalisation failed: " + errors.Summary());
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

Result<std::string> Signer::Sign(std::string_view unsigned_xml) const {
  ErrorScope errors;
  MEDMIJ_ASSIGN_OR_RETURN(DocPtr doc, internal::ParseDocument(unsigned_xml, "sign"));
  MEDMIJ_ASSIGN_OR_RETURN(Splice s, SignParsed({impl_->key.get(), impl_->ec, impl_->ec_field_bytes,
                                                &impl_->certificates},
                                               doc.get(), unsigned_xml, errors));
  return Spliced(unsigned_xml, s);
}

Result<std::string> Signer::SignValidated(std::string_view unsigned_xml, ListKind list,
                                          const SchemaSet& schemas) const {
  MEDMIJ_ASSIGN_OR_RETURN(
      Splice s, SignValidatedSplice(
                    {impl_->key.get(), impl_->ec, impl_->ec_field_bytes, &impl_->certificates},
                    unsigned_xml, list, schemas));
  return Spliced(unsigned_xml, s);
}

Status Signer::SignValidatedInPlace(std::string& document, ListKind list,
                                    const SchemaSet& schemas) const {
  MEDMIJ_ASSIGN_OR_RETURN(
      Splice s, SignValidatedSplice(
                    {impl_->key.get(), impl_->ec, impl_->ec_field_bytes, &impl_->certificates},
                    document, list, schemas));
  document.insert(s.offset, s.signature);
  return Status::Ok();
}

Status Signer::SignPlainInPlace(std::string& document, ListKind list) const {
  ErrorScope errors;
  const internal::ListInfo& info = internal::InfoFor(list);
  PlainDigest digest;
  if (document.size() <= internal::kMaxDocumentBytes &&
      internal::PlainRootBegin(document, info) != std::string_view::npos) {
    digest = DigestPlainForm(document, info);
  }
  if (!digest.plain) {
    return Status::Invalid("sign: the document is not in the plain form lists::Render writes");
  }
  const std::string shell =
      internal::PlainRootStartTag(info) + "\n</" + std::string(info.root) + ">\n";
  MEDMIJ_ASSIGN_OR_RETURN(DocPtr doc, internal::ParseDocument(shell, "sign"));
  MEDMIJ_ASSIGN_OR_RETURN(
      std::string sig,
      BuildSignature({impl_->key.get(), impl_->ec, impl_->ec_field_bytes, &impl_->certificates},
                     doc.get(), digest.md, digest.md_len, errors));
  document.insert(digest.splice, sig);
  return Status::Ok();
}

}  // namespace medmij::signer
