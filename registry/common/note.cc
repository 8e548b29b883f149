#include "registry/common/note.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "registry/common/base64.h"
#include "registry/common/sha256.h"

namespace medmij::note {
namespace {

constexpr unsigned char kAlgEd25519 = 0x01;
constexpr std::string_view kEmDash = "\xE2\x80\x94";  // U+2014
constexpr size_t kSignatureSize = 64;
// Go's note package accepts at most 100 signatures; the spec asks for at least 16.
constexpr size_t kMaxSignatures = 100;

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string Hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

// Valid UTF-8 (shortest forms, no surrogates, at most U+10FFFF) without control characters
// other than newline.
Status CheckUtf8NoControls(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n') || c == 0x7f) {
        return Status::Invalid("contains a control character (byte " + std::to_string(i) + ")");
      }
      ++i;
      continue;
    }
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (len == 0 || c > 0xF4 || i + len > s.size()) {
      return Status::Invalid("is not UTF-8 (byte " + std::to_string(i) + ")");
    }
    uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (size_t j = 1; j < len; ++j) {
      unsigned char cc = static_cast<unsigned char>(s[i + j]);
      if ((cc & 0xC0) != 0x80) {
        return Status::Invalid("is not UTF-8 (byte " + std::to_string(i) + ")");
      }
      cp = cp << 6 | (cc & 0x3F);
    }
    bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return Status::Invalid("is not UTF-8 (byte " + std::to_string(i) + ")");
    }
    if (cp >= 0x80 && cp < 0xA0) {
      return Status::Invalid("contains a control character (byte " + std::to_string(i) + ")");
    }
    i += len;
  }
  return Status::Ok();
}

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

Result<PublicKey> RawPublicKey(EVP_PKEY* pkey) {
  PublicKey pub{};
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey, pub.data(), &len) != 1 || len != pub.size()) {
    return Status::Internal("Ed25519 public key: " + OpenSslError());
  }
  return pub;
}

// No passphrase prompt: an encrypted key is refused, not asked for on the terminal.
int NoPassphrase(char*, int, int, void*) {
  return -1;
}

}  // namespace

Status CheckKeyName(std::string_view name) {
  if (name.empty()) return Status::Invalid("must not be empty");
  for (char ch : name) {
    if (ch == '+') return Status::Invalid("must not contain '+'");
    if (ch == ' ') return Status::Invalid("must not contain spaces");
    if (ch == '\n') return Status::Invalid("must be one line");
    if (static_cast<unsigned char>(ch) < 0x21 || static_cast<unsigned char>(ch) > 0x7e) {
      return Status::Invalid("must be printable ASCII");
    }
  }
  return Status::Ok();
}

uint32_t KeyId(std::string_view name, const PublicKey& key) {
  const char alg = static_cast<char>(kAlgEd25519);
  Sha256Digest d =
      Sha256({name, "\n", std::string_view(&alg, 1),
              std::string_view(reinterpret_cast<const char*>(key.data()), key.size())});
  return static_cast<uint32_t>(d[0]) << 24 | static_cast<uint32_t>(d[1]) << 16 |
         static_cast<uint32_t>(d[2]) << 8 | static_cast<uint32_t>(d[3]);
}

Verifier::Verifier(std::string name, const PublicKey& key)
    : name_(std::move(name)), key_id_(KeyId(name_, key)), key_(key) {}

Result<Verifier> Verifier::Parse(std::string_view vkey) {
  size_t first = vkey.find('+');
  size_t second = first == std::string_view::npos ? first : vkey.find('+', first + 1);
  if (second == std::string_view::npos) {
    return Status::Invalid("verifier key: not <name>+<key id>+<key>");
  }
  std::string name(vkey.substr(0, first));
  if (Status st = CheckKeyName(name); !st.ok()) {
    return Status::Invalid("verifier key: name " + st.message());
  }
  std::string_view id_hex = vkey.substr(first + 1, second - first - 1);
  if (id_hex.size() != 8 || id_hex.find_first_not_of("0123456789abcdefABCDEF") != id_hex.npos) {
    return Status::Invalid("verifier key: key id must be 8 hex digits");
  }
  uint32_t id = static_cast<uint32_t>(std::stoul(std::string(id_hex), nullptr, 16));
  auto key = Base64Decode(vkey.substr(second + 1));
  if (!key) return Status::Invalid("verifier key: key is not base64");
  if (key->size() != 1 + std::tuple_size_v<PublicKey> ||
      static_cast<unsigned char>((*key)[0]) != kAlgEd25519) {
    return Status::Invalid("verifier key: not an Ed25519 key (0x01 and 32 bytes)");
  }
  PublicKey pub{};
  std::copy(key->begin() + 1, key->end(), pub.begin());
  Verifier v(std::move(name), pub);
  if (v.key_id() != id) {
    return Status::Invalid("verifier key: key id " + std::string(id_hex) +
                           " does not match the name and key (" + Hex8(v.key_id()) + ")");
  }
  return v;
}

std::string Verifier::ToString() const {
  std::string raw(1, static_cast<char>(kAlgEd25519));
  raw.append(reinterpret_cast<const char*>(key_.data()), key_.size());
  return name_ + "+" + Hex8(key_id_) + "+" + Base64Encode(raw);
}

bool Verifier::Verify(std::string_view text, std::string_view signature) const {
  if (signature.size() != kSignatureSize) return false;
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key_.data(), key_.size()),
               &EVP_PKEY_free);
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  bool ok = pkey && ctx &&
            EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
            EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(text.data()),
                             text.size()) == 1;
  ERR_clear_error();
  return ok;
}

struct Signer::Key {
  PkeyPtr pkey{nullptr, &EVP_PKEY_free};
};

Signer::Signer(std::shared_ptr<const Key> key, Verifier verifier)
    : key_(std::move(key)), verifier_(std::move(verifier)) {}

Result<Signer> Signer::LoadPem(const std::filesystem::path& pem, std::string name) {
  // Appended, not "'" + ... + "'": g++ 12 at -O3 warns a false -Wrestrict on the operator+ chain.
  std::string where = "'";
  where += pem.string();
  where += '\'';
  std::ifstream in(pem, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) return Status::IoError(where + ": cannot read");
  const std::string bytes = text.str();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())), &BIO_free);
  if (!bio) return Status::Internal(where + ": " + OpenSslError());
  auto key = std::make_shared<Key>();
  key->pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr));
  if (!key->pkey) {
    ERR_clear_error();
    return Status::Invalid(where + ": not a PEM private key (unencrypted)");
  }
  if (EVP_PKEY_get_id(key->pkey.get()) != EVP_PKEY_ED25519) {
    const char* type = EVP_PKEY_get0_type_name(key->pkey.get());
    return Status::Invalid(where + ": not an Ed25519 key (" +
                           std::string(type != nullptr ? type : "unknown type") + ")");
  }
  if (Status st = CheckKeyName(name); !st.ok()) {
    return Status::Invalid("key name " + st.message());
  }
  MEDMIJ_ASSIGN_OR_RETURN(PublicKey pub, RawPublicKey(key->pkey.get()));
  return Signer(std::move(key), Verifier(std::move(name), pub));
}

Result<Signer> Signer::FromSeed(std::string name, std::string_view seed) {
  if (seed.size() != 32) return Status::Invalid("Ed25519 private key: must be 32 bytes");
  if (Status st = CheckKeyName(name); !st.ok()) {
    return Status::Invalid("key name " + st.message());
  }
  auto key = std::make_shared<Key>();
  key->pkey.reset(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
  if (!key->pkey) return Status::Internal("Ed25519 private key: " + OpenSslError());
  MEDMIJ_ASSIGN_OR_RETURN(PublicKey pub, RawPublicKey(key->pkey.get()));
  return Signer(std::move(key), Verifier(std::move(name), pub));
}

Result<std::string> Signer::Sign(std::string_view text) const {
  MEDMIJ_RETURN_IF_ERROR(CheckText(text));
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char sig[kSignatureSize];
  size_t sig_len = sizeof sig;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &sig_len, reinterpret_cast<const unsigned char*>(text.data()),
                     text.size()) != 1 ||
      sig_len != kSignatureSize) {
    return Status::Internal("signing the note: " + OpenSslError());
  }
  const uint32_t id = verifier_.key_id();
  std::string blob;
  for (int shift = 24; shift >= 0; shift -= 8) blob.push_back(static_cast<char>(id >> shift));
  blob.append(reinterpret_cast<const char*>(sig), sig_len);
  std::string note(text);
  note += "\n";
  note += kEmDash;
  note += " " + verifier_.name() + " " + Base64Encode(blob) + "\n";
  return note;
}

Status CheckText(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return Status::Invalid("note text must end in a newline");
  }
  if (Status st = CheckUtf8NoControls(text); !st.ok()) {
    return Status::Invalid("note text " + st.message());
  }
  return Status::Ok();
}

namespace {

struct Parts {
  std::string_view text;  // with its final newline
  std::string_view sigs;  // the signature lines, non-empty
};

Result<Parts> Split(std::string_view note) {
  if (Status st = CheckUtf8NoControls(note); !st.ok()) {
    return Status::Invalid("note " + st.message());
  }
  // The text ends at the last blank line; the signature block follows it.
  if (note.empty() || note.back() != '\n') return Status::Invalid("note: must end in a newline");
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return Status::Invalid("note: no signatures");
  Parts p{note.substr(0, split + 1), note.substr(split + 2)};
  if (p.sigs.empty()) return Status::Invalid("note: no signatures");
  return p;
}

}  // namespace

Result<std::string> UnverifiedText(std::string_view note) {
  MEDMIJ_ASSIGN_OR_RETURN(Parts parts, Split(note));
  return std::string(parts.text);
}

Result<std::string> Open(std::string_view note, const Verifier& verifier) {
  MEDMIJ_ASSIGN_OR_RETURN(Parts parts, Split(note));
  std::string_view text = parts.text;
  std::string_view sigs = parts.sigs;
  bool verified = false;
  size_t count = 0;
  while (!sigs.empty()) {
    size_t eol = sigs.find('\n');  // present: the note ends in a newline
    std::string_view line = sigs.substr(0, eol);
    sigs.remove_prefix(eol + 1);
    if (++count > kMaxSignatures) return Status::Invalid("note: too many signatures");
    if (line.substr(0, kEmDash.size() + 1) != std::string(kEmDash) + " ") {
      return Status::Invalid("note: malformed signature line " + std::to_string(count));
    }
    line.remove_prefix(kEmDash.size() + 1);
    size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return Status::Invalid("note: malformed signature line " + std::to_string(count));
    }
    std::string_view name = line.substr(0, space);
    auto blob = Base64Decode(line.substr(space + 1));
    if (name.empty() || name.find('+') != name.npos || !blob || blob->size() < 5) {
      return Status::Invalid("note: malformed signature line " + std::to_string(count));
    }
    uint32_t id = static_cast<uint32_t>(static_cast<unsigned char>((*blob)[0])) << 24 |
                  static_cast<uint32_t>(static_cast<unsigned char>((*blob)[1])) << 16 |
                  static_cast<uint32_t>(static_cast<unsigned char>((*blob)[2])) << 8 |
                  static_cast<unsigned char>((*blob)[3]);
    if (name != verifier.name() || id != verifier.key_id()) continue;  // another key's
    if (!verifier.Verify(text, std::string_view(*blob).substr(4))) {
      return Status::Invalid("note: the signature by " + verifier.name() + "+" + Hex8(id) +
                             " does not verify");
    }
    verified = true;
  }
  if (!verified) {
    return Status::Invalid("note: no signature by " + verifier.name() + "+" +
                           Hex8(verifier.key_id()));
  }
  return std::string(text);
}

}  // namespace medmij::note
