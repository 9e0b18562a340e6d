#pragma once
#include <optional>
#include <string>

namespace milex::cli {

/// Whether standard input and standard error are a terminal (someone can answer a question).
bool interactive();

/// Asks `question` on stderr and reads a line from stdin; an empty answer takes `yes_by_default`.
bool ask_yes_no(const std::string& question, bool yes_by_default);

/// A secret typed on the terminal (/dev/tty), without echo, after `instruction` on stderr;
/// nullopt without a terminal. The command line's transport::Prompt.
std::optional<std::string> ask_secret(const std::string& instruction, const std::string& prompt);

} // namespace milex::cli
