// Canonical unsigned decimals, as the log's text formats (tlog-checkpoint, tlog-tiles,
// tlog-proof) and the HTTP paths write them: ASCII digits only, no sign, no leading zeros
// (except "0" itself). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace medmij {

// The value of `text`, or nullopt unless it is a canonical decimal no greater than `max`.
std::optional<uint64_t> ParseDecimal(std::string_view text, uint64_t max = UINT64_MAX);

}  // namespace medmij
