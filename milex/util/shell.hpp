#pragma once
#include <string>
#include <string_view>

namespace milex::util {

/// `word` as one bash word that arrives byte for byte: single quotes around it, and each `'`
/// inside written as `'\''`. Spaces, `$`, backticks, `\`, newlines and non-ASCII text need
/// nothing more inside single quotes.
std::string shell_quote(std::string_view word);

} // namespace milex::util
