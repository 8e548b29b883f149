// OpenSSL helpers for keys and certificates (signer/ only): messages name the file.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "registry/common/status.h"
#include "registry/common/time.h"

namespace medmij::signer::x509 {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

// The whole file; `what` names it in the error ("signing key /etc/x.key: cannot read: ...").
Result<std::string> ReadFile(const std::filesystem::path& path, const std::string& what);
// A PEM private key; encrypted keys are refused (no prompt).
Result<PkeyPtr> ParsePrivateKey(std::string_view pem, const std::string& what);
// Every PEM certificate in `pem`, in order; at least one.
Result<std::vector<CertPtr>> ParseCertificates(std::string_view pem, const std::string& what);

std::string SubjectRfc2253(const X509* cert);
Time NotBefore(const X509* cert);
Time NotAfter(const X509* cert);
// ok() when notBefore <= now < notAfter.
Status CheckValidAt(const X509* cert, Time now, const std::string& what);
// ok() when `cert` (with its public key) fits the list-signing profile (README, "Signing
// certificate profile"): an end-entity certificate (not a CA), keyUsage present with
// digitalSignature and nothing beyond digitalSignature and nonRepudiation (so never keyCertSign
// or cRLSign), extendedKeyUsage either absent or naming a purpose other than TLS server/client
// authentication, and an RSA key of at least 2048 bits or an EC key on P-256, P-384 or P-521.
// The error names `what` and the rule.
Status CheckSigningProfile(X509* cert, const std::string& what);
// The newest OpenSSL error as text, and clears the queue.
std::string OpenSslError();

}  // namespace medmij::signer::x509
