#include "signer/x509_util.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace medmij::signer::x509 {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr MemBio(std::string_view s) {
  return BioPtr(BIO_new_mem_buf(s.data(), static_cast<int>(s.size())));
}

int RefusePassword(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
  return -1;
}

Time FromAsn1(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return Time{};
  return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::from_time_t(timegm(&tm)));
}

}  // namespace

std::string OpenSslError() {
  unsigned long e = ERR_peek_last_error();
  std::string s;
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    s = buf;
  }
  ERR_clear_error();
  return s.empty() ? "unknown OpenSSL error" : s;
}

Result<std::string> ReadFile(const std::filesystem::path& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid(what + ": cannot read: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::Invalid(what + ": cannot read: " + std::strerror(errno));
  return ss.str();
}

Result<PkeyPtr> ParsePrivateKey(std::string_view pem, const std::string& what) {
  BioPtr bio = MemBio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &RefusePassword, nullptr));
  if (!key) {
    return Status::Invalid(what + ": not a usable PEM private key (" + OpenSslError() + ")");
  }
  return key;
}

Result<std::vector<CertPtr>> ParseCertificates(std::string_view pem, const std::string& what) {
  BioPtr bio = MemBio(pem);
  std::vector<CertPtr> out;
  while (true) {
    X509* c = PEM_read_bio_X509(bio.get(), nullptr, &RefusePassword, nullptr);
    if (c == nullptr) break;
    out.emplace_back(c);
  }
  unsigned long err = ERR_peek_last_error();
  // The loop ends with "no start line" at the end of the input; anything else is a bad block.
  if (err != 0 &&
      !(ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE)) {
    return Status::Invalid(what + ": not a PEM certificate (" + OpenSslError() + ")");
  }
  ERR_clear_error();
  if (out.empty()) return Status::Invalid(what + ": contains no PEM certificate");
  return out;
}

std::string SubjectRfc2253(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

Time NotBefore(const X509* cert) {
  return FromAsn1(X509_get0_notBefore(cert));
}
Time NotAfter(const X509* cert) {
  return FromAsn1(X509_get0_notAfter(cert));
}

Status CheckValidAt(const X509* cert, Time now, const std::string& what) {
  const Time from = NotBefore(cert);
  const Time until = NotAfter(cert);
  if (now < from) {
    return Status::Invalid(what + " is not yet valid: valid from " + FormatTime(from) +
                           ", now is " + FormatTime(now));
  }
  if (now >= until) {
    return Status::Invalid(what + " has expired: valid until " + FormatTime(until) + ", now is " +
                           FormatTime(now));
  }
  return Status::Ok();
}

namespace {

struct EkuFree {
  void operator()(EXTENDED_KEY_USAGE* e) const { EXTENDED_KEY_USAGE_free(e); }
};

Status CheckKey(X509* cert, const std::string& what) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr) return Status::Invalid(what + ": the public key cannot be read");
  const int type = EVP_PKEY_get_base_id(key);
  if (type == EVP_PKEY_RSA) {
    const int bits = EVP_PKEY_get_bits(key);
    if (bits < 2048) {
      return Status::Invalid(what + ": the RSA key has " + std::to_string(bits) +
                             " bits; at least 2048 are required");
    }
    return Status::Ok();
  }
  if (type == EVP_PKEY_EC) {
    char group[80] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) != 1) {
      ERR_clear_error();
      return Status::Invalid(what +
                             ": the EC key is not on a named curve; P-256, P-384 or P-521 "
                             "is required");
    }
    const std::string_view g(group, len);
    if (g != "prime256v1" && g != "secp384r1" && g != "secp521r1") {
      return Status::Invalid(what + ": the EC key is on curve " + std::string(g) +
                             "; P-256, P-384 or P-521 is required");
    }
    return Status::Ok();
  }
  return Status::Invalid(what + ": the key is neither RSA nor EC");
}

}  // namespace

Status CheckSigningProfile(X509* cert, const std::string& what) {
  const uint32_t flags = X509_get_extension_flags(cert);  // also parses the extensions
  if ((flags & EXFLAG_INVALID) != 0) {
    return Status::Invalid(what + ": its extensions cannot be parsed");
  }
  if ((flags & EXFLAG_CA) != 0) {
    return Status::Invalid(what +
                           " is a CA certificate (basicConstraints CA:TRUE); lists are "
                           "signed with an end-entity certificate");
  }
  if ((flags & EXFLAG_KUSAGE) == 0) {
    return Status::Invalid(what + " has no keyUsage; digitalSignature is required");
  }
  const uint32_t usage = X509_get_key_usage(cert);
  if ((usage & KU_KEY_CERT_SIGN) != 0) {
    return Status::Invalid(what + ": keyUsage includes keyCertSign (a CA key)");
  }
  if ((usage & KU_DIGITAL_SIGNATURE) == 0) {
    return Status::Invalid(what + ": keyUsage lacks digitalSignature");
  }
  if ((usage & ~static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0) {
    return Status::Invalid(what +
                           ": keyUsage allows more than digitalSignature and "
                           "nonRepudiation");
  }
  if ((flags & EXFLAG_XKUSAGE) != 0) {
    std::unique_ptr<EXTENDED_KEY_USAGE, EkuFree> eku(static_cast<EXTENDED_KEY_USAGE*>(
        X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr)));
    if (!eku) return Status::Invalid(what + ": extendedKeyUsage cannot be parsed");
    bool beyond_tls = false;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
      const int nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku.get(), i));
      if (nid != NID_server_auth && nid != NID_client_auth) beyond_tls = true;
    }
    if (!beyond_tls) {
      return Status::Invalid(what +
                             ": extendedKeyUsage is TLS only (serverAuth/clientAuth); a "
                             "list-signing certificate must not be a TLS certificate");
    }
  }
  return CheckKey(cert, what);
}

}  // namespace medmij::signer::x509
