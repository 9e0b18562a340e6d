#pragma once
/// What milex keeps on each machine: its directories under `path`, and the `MILEX` variable in
/// the user's ~/.bashrc (jobs and applications find their files through it).
#include <filesystem>
#include <optional>
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

/// What a remote machine's set-up did to the ~/.bashrc of its account.
struct MachineLines {
    BashrcChange change = BashrcChange::unchanged;
    /// MILEX names the path of another machine entry on the same account: left as it was
    /// (its value as written), since that machine's user relies on it.
    std::optional<std::string> milex_kept;
};

/// `MILEX_<NAME>`: the variable that holds one machine entry's path (`far-gpu` → `MILEX_FAR_GPU`).
std::string machine_variable(const std::string& machine);

/// In the ~/.bashrc of the account `transport` reaches: `export MILEX_<NAME>=<path>` for this
/// machine entry, and `export MILEX=<path>` unless MILEX already names another machine's path.
/// Two machine entries on one account (two partitions, two paths) thus never overwrite each other;
/// MILEX follows a machine whose path changed. The file keeps its mode.
MachineLines ensure_machine_lines(transport::Transport& transport, const std::string& machine,
                                  const std::string& path);

/// `text` (a bashrc) with the lines of `machine` put right; `result` says what was done.
std::string with_machine_lines(const std::string& text, const std::string& machine, const std::string& path,
                               MachineLines& result);

/// `text` (a bashrc) with the MILEX line put right; `change` says what was done.
std::string with_milex_line(const std::string& text, const std::string& path, BashrcChange& change);

} // namespace milex::store
