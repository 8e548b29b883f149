#include "registry/store/archive_encoding.h"

#include <algorithm>
#include <bit>
#include <memory>

#include <zstd.h>

#include "registry/store/txn.h"

namespace medmij::store::archive {
namespace {

constexpr std::string_view kMagic{"\0MMA", 4};
constexpr char kFormat = 1;
constexpr size_t kHeaderSize = 4 + 1 + 1 + 8 + 8;
// Larger than any list we publish (a 100 000-provider ZAL is about 150 MB); a header claiming more
// is damage, not a list, and must not turn into an allocation of that size.
constexpr uint64_t kMaxDecodedSize = uint64_t{16} << 30;

void PutLe64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetLe64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

Status ZstdError(const char* what, size_t code) {
  return Status::Internal(std::string("zstd ") + what + ": " + ZSTD_getErrorName(code));
}

// The window a frame needs to reach back over `reach` bytes (prefix and content), within zstd's
// bounds.
int WindowLogFor(uint64_t reach) {
  const ZSTD_bounds b = ZSTD_cParam_getBounds(ZSTD_c_windowLog);
  int log = reach <= 1 ? 0 : static_cast<int>(std::bit_width(reach - 1));
  return std::clamp(log, b.lowerBound, b.upperBound);
}

Result<std::string> Encode(Kind kind, std::string_view xml, uint64_t base_volgnummer,
                           std::string_view base) {
  std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  if (!cctx) return Status::Internal("zstd: out of memory");
  auto set = [&](ZSTD_cParameter p, int v) -> Status {
    size_t rc = ZSTD_CCtx_setParameter(cctx.get(), p, v);
    return ZSTD_isError(rc) ? ZstdError("parameter", rc) : Status::Ok();
  };
  MEDMIJ_RETURN_IF_ERROR(set(ZSTD_c_compressionLevel, ZSTD_CLEVEL_DEFAULT));
  MEDMIJ_RETURN_IF_ERROR(set(ZSTD_c_checksumFlag, 1));
  MEDMIJ_RETURN_IF_ERROR(set(ZSTD_c_contentSizeFlag, 1));
  if (kind == Kind::kDelta) {
    // Matches reach back over the whole base: long-distance matching finds them.
    MEDMIJ_RETURN_IF_ERROR(set(ZSTD_c_windowLog, WindowLogFor(base.size() + xml.size())));
    MEDMIJ_RETURN_IF_ERROR(set(ZSTD_c_enableLongDistanceMatching, 1));
    size_t rc = ZSTD_CCtx_refPrefix(cctx.get(), base.data(), base.size());
    if (ZSTD_isError(rc)) return ZstdError("prefix", rc);
  }
  std::string out;
  out.reserve(kHeaderSize + ZSTD_compressBound(xml.size()));
  out.append(kMagic);
  out.push_back(kFormat);
  out.push_back(static_cast<char>(kind));
  PutLe64(out, kind == Kind::kDelta ? base_volgnummer : 0);
  PutLe64(out, xml.size());
  out.resize(kHeaderSize + ZSTD_compressBound(xml.size()));
  size_t n = ZSTD_compress2(cctx.get(), out.data() + kHeaderSize, out.size() - kHeaderSize,
                            xml.data(), xml.size());
  if (ZSTD_isError(n)) return ZstdError("compress", n);
  out.resize(kHeaderSize + n);
  out.shrink_to_fit();
  return out;
}

}  // namespace

bool IsEncoded(std::string_view stored) {
  return stored.size() >= kMagic.size() && stored.substr(0, kMagic.size()) == kMagic;
}

Result<Header> ParseHeader(std::string_view stored) {
  if (!IsEncoded(stored)) return Status::Invalid("not an encoded archive value");
  if (stored.size() < kHeaderSize) return Status::Invalid("encoded archive value is truncated");
  if (stored[4] != kFormat) {
    return Status::Invalid("unknown archive encoding format " +
                           std::to_string(static_cast<unsigned char>(stored[4])));
  }
  Header h;
  if (stored[5] == static_cast<char>(Kind::kKeyframe)) {
    h.kind = Kind::kKeyframe;
  } else if (stored[5] == static_cast<char>(Kind::kDelta)) {
    h.kind = Kind::kDelta;
  } else {
    return Status::Invalid("unknown archive encoding kind");
  }
  h.base_volgnummer = GetLe64(stored.substr(6, 8));
  h.decoded_size = GetLe64(stored.substr(14, 8));
  if ((h.kind == Kind::kDelta) != (h.base_volgnummer != 0)) {
    return Status::Invalid("archive encoding: a delta names its base, a keyframe none");
  }
  if (h.decoded_size > kMaxDecodedSize) {
    return Status::Invalid("archive encoding: decoded size " + std::to_string(h.decoded_size) +
                           " is out of range");
  }
  return h;
}

uint64_t KeyframeOf(uint64_t volgnummer) {
  if (volgnummer == 0) return 0;
  return volgnummer - (volgnummer - 1) % kKeyframeInterval;
}

Result<std::string> EncodeKeyframe(std::string_view xml) {
  return Encode(Kind::kKeyframe, xml, 0, {});
}

Result<std::string> EncodeDelta(std::string_view xml, uint64_t base_volgnummer,
                                std::string_view base) {
  if (base_volgnummer == 0) return Status::Invalid("a delta needs a base version");
  return Encode(Kind::kDelta, xml, base_volgnummer, base);
}

Result<std::string> Decode(std::string_view stored, std::string_view base) {
  MEDMIJ_ASSIGN_OR_RETURN(Header h, ParseHeader(stored));
  std::string_view frame = stored.substr(kHeaderSize);
  unsigned long long content = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN ||
      content != h.decoded_size) {
    return Status::Invalid("archive encoding: the frame's size does not match its header");
  }
  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  if (!dctx) return Status::Internal("zstd: out of memory");
  if (h.kind == Kind::kDelta) {
    const ZSTD_bounds b = ZSTD_dParam_getBounds(ZSTD_d_windowLogMax);
    size_t rc = ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, b.upperBound);
    if (ZSTD_isError(rc)) return ZstdError("parameter", rc);
    rc = ZSTD_DCtx_refPrefix(dctx.get(), base.data(), base.size());
    if (ZSTD_isError(rc)) return ZstdError("prefix", rc);
  }
  std::string out(h.decoded_size, '\0');
  size_t n = ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(n))
    return Status::Invalid(std::string("archive encoding: ") + ZSTD_getErrorName(n));
  if (n != out.size()) return Status::Invalid("archive encoding: decoded size differs from header");
  return out;
}

}  // namespace medmij::store::archive

namespace medmij::store::internal {

Result<std::string> TxnState::DecodeListBytes(std::string_view key, std::string_view stored) const {
  if (!archive::IsEncoded(stored)) return std::string(stored);
  auto undecodable = [&](const Status& why) {
    return Undecodable(Table::kListBytes, key, why.message());
  };
  auto header = archive::ParseHeader(stored);
  if (!header.ok()) return undecodable(header.status());
  if (header->kind == archive::Kind::kKeyframe) {
    auto bytes = archive::Decode(stored);
    if (!bytes.ok()) return undecodable(bytes.status());
    return std::move(bytes).value();
  }
  // The base is a keyframe of the same list: whole or encoded as a keyframe, never a delta.
  const std::string base_key = ListKeyBeside(key, header->base_volgnummer);
  MEDMIJ_ASSIGN_OR_RETURN(auto base_stored, Get(DbiOf(Table::kListBytes), base_key));
  if (!base_stored) {
    return Undecodable(Table::kListBytes, key, "the delta's base " + base_key + " is missing");
  }
  std::string base_whole;
  std::string_view base = *base_stored;
  if (archive::IsEncoded(base)) {
    auto base_header = archive::ParseHeader(base);
    if (!base_header.ok()) return undecodable(base_header.status());
    if (base_header->kind != archive::Kind::kKeyframe) {
      return Undecodable(Table::kListBytes, key, "the delta's base " + base_key + " is a delta");
    }
    auto decoded = archive::Decode(base);
    if (!decoded.ok()) {
      return Undecodable(Table::kListBytes, key,
                         "the delta's base " + base_key + ": " + decoded.status().message());
    }
    base_whole = std::move(decoded).value();
    base = base_whole;
  }
  auto bytes = archive::Decode(stored, base);
  if (!bytes.ok()) return undecodable(bytes.status());
  return std::move(bytes).value();
}

Result<std::optional<std::string>> TxnState::ListBytes(std::string_view key) const {
  MEDMIJ_ASSIGN_OR_RETURN(auto stored, Get(DbiOf(Table::kListBytes), key));
  if (!stored) return std::optional<std::string>();
  MEDMIJ_ASSIGN_OR_RETURN(std::string bytes, DecodeListBytes(key, *stored));
  return std::optional<std::string>(std::move(bytes));
}

}  // namespace medmij::store::internal
