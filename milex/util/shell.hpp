#pragma once
#include <string>
#include <string_view>

namespace milex::util {

/// `word` as one bash word that arrives byte for byte: single quotes around it, and each `'`
/// inside written as `'\''`. Spaces, `$`, backticks, `\`, newlines and non-ASCII text need
/// nothing more inside single quotes.
std::string shell_quote(std::string_view word);

/// Whether `c` may be part of a shell variable's name (a letter, a digit or `_`).
bool shell_name_char(char c);

/// Length of a leading `~` (alone or before '/'), `$NAME` or `${NAME}` in `path`, or 0.
size_t leading_expansion(std::string_view path);

/// `path` as one bash word in which only a leading `~`, `$NAME` or `${NAME}` expands, when the
/// script runs; the rest arrives byte for byte (shell_quote). A relative path is taken relative
/// to `$base_variable` (`data` → `"${MILEX:?}"'/data'`). An unset or empty variable stops the
/// script (`:?`) rather than letting `$SCRATCH/data` become `/data`.
std::string shell_path_word(std::string_view path, std::string_view base_variable);

} // namespace milex::util
