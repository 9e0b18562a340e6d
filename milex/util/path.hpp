#pragma once
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <tl/expected.hpp>

namespace milex::util {

/// Looks up an environment variable; tests pass their own.
using Lookup = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment as a Lookup.
std::optional<std::string> environment_variable(const std::string& name);

/// A duration in seconds from the environment variable `name` ("2", "0.5"), or `fallback` when it
/// is unset or empty. Anything else (text, zero, a negative number) is an Error naming the
/// variable: a typo must not turn into a tight loop or an endless wait.
std::chrono::milliseconds seconds_from_environment(const std::string& name, std::chrono::milliseconds fallback);

/// Expands a leading `~` or `~user` and every `$VAR` / `${VAR}` the way a shell would, but
/// without running one. An unset variable is an error that names it (a path silently missing a
/// part is worse than a refusal).
tl::expected<std::string, std::string> expand_path(const std::string& text,
                                                   const Lookup& lookup = environment_variable);

} // namespace milex::util
