#pragma once
#include <string>

namespace milex::cli {

/// Whether standard input and standard error are a terminal (someone can answer a question).
bool interactive();

/// Asks `question` on stderr and reads a line from stdin; an empty answer takes `yes_by_default`.
bool ask_yes_no(const std::string& question, bool yes_by_default);

} // namespace milex::cli
