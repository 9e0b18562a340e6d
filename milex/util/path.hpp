#pragma once
#include <functional>
#include <optional>
#include <string>

#include <tl/expected.hpp>

namespace milex::util {

/// Looks up an environment variable; tests pass their own.
using Lookup = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment as a Lookup.
std::optional<std::string> environment_variable(const std::string& name);

/// Expands a leading `~` or `~user` and every `$VAR` / `${VAR}` the way a shell would, but
/// without running one. An unset variable is an error that names it (a path silently missing a
/// part is worse than a refusal).
tl::expected<std::string, std::string> expand_path(const std::string& text,
                                                   const Lookup& lookup = environment_variable);

} // namespace milex::util
