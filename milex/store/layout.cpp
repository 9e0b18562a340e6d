#include "milex/store/layout.hpp"

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/file.hpp"
#include "milex/util/shell.hpp"
#include "milex/util/text.hpp"

namespace milex::store {

const std::vector<std::string>& layout_directories() {
    static const std::vector<std::string> dirs = {"jobs", "slurm", "runs", "models", "results", "data"};
    return dirs;
}

void create_layout(transport::Transport& transport, const std::string& path) {
    for (const auto& dir : layout_directories()) transport.make_directories(path + "/" + dir);
}

BashrcChange ensure_milex_line(const std::filesystem::path& bashrc, const std::string& path) {
    const std::string line = "export MILEX=" + util::shell_quote(path);
    std::string text;
    std::error_code ec;
    if (std::filesystem::exists(bashrc, ec)) {
        auto read = util::read_file(bashrc);
        if (!read) throw Error(read.error());
        text = std::move(*read);
    }
    // The Python milex appended a line on every run; the last one wins in bash, so the first
    // becomes ours and later ones go.
    std::vector<std::string> lines;
    bool found = false, changed = false;
    for (auto& existing : util::split(text, '\n')) {
        if (util::trim(existing).starts_with("export MILEX=")) {
            if (found) {
                changed = true;
                continue;
            }
            found = true;
            if (existing != line) {
                existing = line;
                changed = true;
            }
        }
        lines.push_back(existing);
    }
    if (found && !changed) return BashrcChange::unchanged;
    std::string updated;
    if (found) {
        updated = util::join(lines, "\n");
    } else {
        updated = text;
        if (!updated.empty() && updated.back() != '\n') updated += '\n';
        updated += "# milex keeps its files here (written by milex-configuration)\n" + line + "\n";
    }
    if (auto written = util::write_file_atomic(bashrc, updated); !written) throw Error(written.error());
    return found ? BashrcChange::updated : BashrcChange::added;
}

} // namespace milex::store
