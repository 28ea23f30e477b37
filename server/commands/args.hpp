#pragma once
// Argument parsing with Redis's rules (string2ll, string2ld, getDoubleFromObject, ...).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/resp/reply_writer.hpp"

namespace vigil::server {

// Strict 64-bit integer: optional '-', digits, no spaces, no '+', no leading zeros ("0" ok).
std::optional<std::int64_t> parse_int(std::string_view s);
// As Redis's getDoubleFromObject: strtod over the whole string, no spaces, NaN refused.
std::optional<double> parse_double(std::string_view s);
// As string2ld (INCRBYFLOAT): long double, no spaces, NaN/inf refused.
std::optional<long double> parse_long_double(std::string_view s);
// Formats a long double as Redis does for INCRBYFLOAT ("%.17Lf" with trailing zeros trimmed).
std::string format_long_double(long double v);
// Resolves a Redis index range (negative indexes count from the end) over `size` elements.
// Returns false when the range is empty; otherwise start and end are valid inclusive indexes.
bool clamp_index_range(std::int64_t& start, std::int64_t& end, std::size_t size);
// A non-negative timeout in ms (WAIT, CLIENT PAUSE); replies Redis's error and returns nullopt.
std::optional<std::int64_t> parse_timeout_ms(std::string_view s, common::ReplyWriter& reply);
// Formats an integer.
std::string int_to_string(std::int64_t v);

}  // namespace vigil::server
