// XML signatures and schema validation for the MedMij lists: the only code that includes xmlsec.
//
// Signer creates enveloped signatures (ds:Signature as the last child of the root; RSA-SHA256 or
// ECDSA-SHA256 by key type; exclusive C14N; one Reference URI=""; KeyInfo/X509Data with the
// signing certificate and its chain). Verifier is hardened as docs/PITFALLS.md says:
// trusts only X509 chains to its trust anchor, one Signature directly under the root, one
// Reference to "", only the transforms we use, a signing certificate within the profile, no
// DOCTYPE, no network, and limits on the input checked while it is parsed (internal.h).
//
// REQUIRES: Libraries::Init() in the main thread before any other thread starts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/domain/types.h"

namespace medmij::signer {

namespace internal {
struct SchemaAccess;
struct TrustedCertificates;  // verifier.cc: the parsed anchors a Verifier is made from
}  // namespace internal

// Process-wide libxml2 + xmlsec initialisation, in the documented order; shut down in reverse by
// the destructor. Exactly one per process, created in main() before threads start.
class Libraries {
 public:
  static Result<std::unique_ptr<Libraries>> Init();
  ~Libraries();
  Libraries(const Libraries&) = delete;
  Libraries& operator=(const Libraries&) = delete;

 private:
  Libraries() = default;
};

// The project's XSDs (schemas/), compiled into the binary. Safe for concurrent use.
class SchemaSet {
 public:
  static Result<std::unique_ptr<SchemaSet>> Load();
  ~SchemaSet();
  // Validates a list document (signed or not) against the project's XSD for `list`: the release
  // structure plus an optional trailing ds:Signature. The error names the line and the rule.
  Status Validate(ListKind list, std::string_view xml) const;

 private:
  friend struct internal::SchemaAccess;  // lets Signer/Verifier validate a DOM they parsed
  struct Impl;
  SchemaSet();
  std::unique_ptr<Impl> impl_;
};

// Signing key and certificate chain, loaded once. Safe for concurrent use.
class Signer {
 public:
  // Loads a PEM private key (RSA or EC), its PEM certificate, and optional PEM intermediates
  // (empty path: none). Refuses a key that does not match the certificate, a certificate outside
  // the signing profile (x509_util.h, README) and one not valid at `now`, with a clear message
  // naming the file.
  static Result<std::unique_ptr<Signer>> Load(const std::filesystem::path& key,
                                              const std::filesystem::path& certificate,
                                              const std::filesystem::path& chain, Time now);
  ~Signer();

  // ok() while the signing certificate is valid at `now` (it may lapse while a service runs).
  Status CheckUsableAt(Time now) const;

  // Signs an unsigned list document (UTF-8, no DOCTYPE, root = the list element, as built by
  // registry/lists). Returns the signed document: the input bytes with the ds:Signature element
  // inserted before the root's end tag, nothing else changed.
  // Refused: anything but whitespace after the root end tag, a document already signed.
  Result<std::string> Sign(std::string_view unsigned_xml) const;

  // Sign() preceded by validation of the same bytes against `schemas` for `list`: the
  // publisher's path for large lists. A document in the form registry/lists renders is validated
  // by streaming (no DOM) while a second thread digests its bytes; any other document is parsed
  // once for both. Refuses a document whose root is not `list`'s root element.
  Result<std::string> SignValidated(std::string_view unsigned_xml, ListKind list,
                                    const SchemaSet& schemas) const;

  // SignValidated() into the caller's string: the signature is inserted into `document` itself,
  // so a large list is not held twice (reserve room for a few KB to avoid a reallocation). On
  // failure `document` is unchanged.
  Status SignValidatedInPlace(std::string& document, ListKind list, const SchemaSet& schemas) const;

  // SignValidatedInPlace() without the validation, for a caller that has validated the content
  // another way (the publisher's incremental path validates the changed entries and the head,
  // registry/publisher/incremental.h) and knows the bytes are well-formed: they must be a
  // document lists::Render wrote for `list` (the plain form, plain_form.cc), whose digest is
  // then computed from the bytes. kInvalidArgument for any other document (nothing is parsed,
  // `document` is unchanged).
  Status SignPlainInPlace(std::string& document, ListKind list) const;

  std::string SubjectName() const;  // of the signing certificate, RFC 2253
  Time NotAfter() const;
  // Hex SHA-256 over the DER of the certificates each signature carries in KeyInfo (the
  // signing certificate, then the chain): equal to SigningCertificatesOf(list).sha256 exactly
  // when `list` was signed with this certificate and chain.
  const std::string& CertificatesSha256() const;

 private:
  struct Impl;
  Signer();
  std::unique_ptr<Impl> impl_;
};

// What a verified list says about itself.
struct VerifiedList {
  ListKind list = ListKind::kWhitelist;
  uint64_t volgnummer = 0;
  std::string tijdstempel;     // as written in the list
  std::string signer_subject;  // RFC 2253 subject of the certificate that signed it
  std::string sha256;          // of the whole document, hex
  // Hex SHA-256 of the signed content in its canonical form: the exclusive C14N of the list
  // without its signature, which is the Reference digest the signature covers. Byte variants of
  // one signed content (line ends, a BOM, comments, a trailing newline) share it; any other
  // content has another.
  std::string signed_content_sha256;
  // [signature_begin, signature_end): the bytes of the ds:Signature element in the document.
  size_t signature_begin = 0;
  size_t signature_end = 0;
};

// Verifies signed lists for a participant. Safe for concurrent use.
class Verifier {
 public:
  // `trust_pem`: one or more CA certificates; a list verifies only when its signing certificate
  // chains to one of them (intermediates taken from the list's own KeyInfo).
  static Result<std::unique_ptr<Verifier>> Load(const std::filesystem::path& trust_pem);
  ~Verifier();

  // kInvalidArgument with the first reason the document is not a valid signed MedMij list (of
  // kind `expected`, when given): over a parser limit (size, depth, nodes, attributes, namespace
  // declarations, nodes in ds:Signature, certificates), not well-formed, DOCTYPE present, not
  // UTF-8, unknown root or another list than expected, missing/extra/misplaced Signature, bad
  // Reference or transform, untrusted certificate or one outside the signing profile, digest or
  // signature mismatch, schema violation.
  Result<VerifiedList> Verify(std::string_view document, Time now,
                              std::optional<ListKind> expected = std::nullopt) const;

  // The verifier the registry checks its own lists with, trusting what participants trust:
  // `trust_anchor` when given ([signing] trust_anchor), else the last certificate of `chain`,
  // else `certificate` itself. xmlsec, like OpenSSL by default, completes a chain only at a
  // self-signed root, so an anchor that is not one yields no verifier and says why.
  static Result<struct RegistryAnchor> LoadRegistryAnchor(const std::filesystem::path& trust_anchor,
                                                          const std::filesystem::path& chain,
                                                          const std::filesystem::path& certificate);

 private:
  static Result<std::unique_ptr<Verifier>> FromCertificates(
      const internal::TrustedCertificates& certs, const std::string& what);
  struct Impl;
  Verifier();
  std::unique_ptr<Impl> impl_;
};

// The registry's check of its own signed output before archiving it: the participants'
// verifier's three verdicts that a correct signing step could still get wrong afterwards (a
// signature spliced into other bytes, a damaged buffer, a certificate that no longer chains),
// computed again from the final document, not from what the signer remembers:
// - the Reference digest: the exclusive C14N of the document without its signature, hashed
//   again from its bytes (plain form) and compared with DigestValue;
// - SignatureValue over SignedInfo's exclusive C14N, with the key of the first certificate in
//   KeyInfo;
// - that certificate's chain (KeyInfo's others as intermediates) to the registry's anchor
//   (Verifier::LoadRegistryAnchor's choice) at `now`. Unlike xmlsec this accepts an anchor that
//   is not a self-signed root (OpenSSL's partial chain): the anchor is what was configured.
// The schema is the publisher's (incremental) validation. Safe for concurrent use.
class SelfCheck {
 public:
  static Result<std::unique_ptr<SelfCheck>> Load(const std::filesystem::path& trust_anchor,
                                                 const std::filesystem::path& chain,
                                                 const std::filesystem::path& certificate);
  ~SelfCheck();

  // kInvalidArgument naming what does not hold. `signed_document` is changed while the check
  // runs (its signature is cut out to hash the rest, so a 150 MB list is not copied) and
  // restored byte for byte before it returns.
  Status Check(std::string& signed_document, ListKind list, Time now) const;

  const std::string& anchor() const;  // where the anchor came from, and its subject

 private:
  struct Impl;
  SelfCheck();
  std::unique_ptr<Impl> impl_;
};

struct RegistryAnchor {
  std::unique_ptr<Verifier> verifier;  // null: the anchor is not a self-signed root
  std::string description;             // where the anchor came from, and its subject
  std::string off_reason;              // why there is no verifier
};

// The certificates in the KeyInfo of a list this registry signed (the key roll compares them
// with the configured ones; nothing is verified here).
struct SigningCertificates {
  std::string sha256;   // as Signer::CertificatesSha256: over the DER of all, in document order
  std::string subject;  // of the first (the signing certificate), RFC 2253
  Time not_after{};     // of the first
};
// kInvalidArgument when `signed_xml` has no ds:Signature where Signer puts it (StripSignature's
// range) or its KeyInfo holds no certificate that decodes. Reads only the signature's bytes.
Result<SigningCertificates> SigningCertificatesOf(std::string_view signed_xml);

// The SHA-256 fingerprint of the first certificate in the PEM file `pem` (a CA certificate such
// as [signing] trust_anchor): upper-case hex pairs over its DER, joined by ':', as `openssl x509
// -noout -fingerprint -sha256` prints it, so people can compare the two. kInvalidArgument naming
// `what` and the file when it is unreadable or holds no certificate.
Result<std::string> CertificateFingerprintSha256(const std::filesystem::path& pem,
                                                 const std::string& what);

// The strict form of a verified list: `document` without the bytes of its ds:Signature element
// (REQUIRES: `v` is what Verify returned for `document`).
std::string StrictForm(std::string_view document, const VerifiedList& v);

// The unsigned strict form of a list this registry signed: the bytes with the ds:Signature
// element removed (valid against the reference release XSD). Returns the input unchanged when
// there is no signature.
std::string StripSignature(std::string_view signed_xml);

}  // namespace medmij::signer
