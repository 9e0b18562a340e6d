#pragma once
/// What milex keeps on each machine: its directories under `path`, and the `MILEX` variable in
/// the user's ~/.bashrc (jobs and applications find their files through it).
#include <filesystem>
#include <string>
#include <vector>

#include "milex/transport/transport.hpp"

namespace milex::store {

/// jobs slurm runs models results data: the folders made under a machine's path.
const std::vector<std::string>& layout_directories();

/// Makes every layout directory under `path` on the machine `transport` reaches.
void create_layout(transport::Transport& transport, const std::string& path);

enum class BashrcChange { added, updated, unchanged };

/// Puts `export MILEX=<path>` into the bashrc at `bashrc` exactly once: appended when there is
/// none, rewritten in place when it names another path, left alone when it is right.
BashrcChange ensure_milex_line(const std::filesystem::path& bashrc, const std::string& path);

/// The same in the ~/.bashrc of the machine `transport` reaches.
BashrcChange ensure_milex_line(transport::Transport& transport, const std::string& path);

/// `text` (a bashrc) with the MILEX line put right; `change` says what was done.
std::string with_milex_line(const std::string& text, const std::string& path, BashrcChange& change);

} // namespace milex::store
