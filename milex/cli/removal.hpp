#pragma once
/// What milex delete and milex clean print of a removal.
#include <ostream>

#include <fmt/format.h>

#include "milex/submit/remove_runs.hpp"

namespace milex::cli {

/// Each file or folder removed (or that would be), its size in bytes and where: one a line.
inline void print_removal(const submit::Removal& removal, std::ostream& out) {
    for (const auto& path : removal.removed)
        out << fmt::format("  {:>12}  {}{}\n", path.bytes, path.machine.empty() ? "" : path.machine + ":", path.path);
}

} // namespace milex::cli
