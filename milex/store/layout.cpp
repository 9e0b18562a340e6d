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

std::string with_milex_line(const std::string& text, const std::string& path, BashrcChange& change) {
    const std::string line = "export MILEX=" + util::shell_quote(path);
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
    if (found && !changed) {
        change = BashrcChange::unchanged;
        return text;
    }
    change = found ? BashrcChange::updated : BashrcChange::added;
    if (found) return util::join(lines, "\n");
    std::string updated = text;
    if (!updated.empty() && updated.back() != '\n') updated += '\n';
    return updated + "# milex keeps its files here (written by milex-configuration)\n" + line + "\n";
}

BashrcChange ensure_milex_line(const std::filesystem::path& bashrc, const std::string& path) {
    std::string text;
    std::error_code ec;
    if (std::filesystem::exists(bashrc, ec)) {
        auto read = util::read_file(bashrc);
        if (!read) throw Error(read.error());
        text = std::move(*read);
    }
    BashrcChange change = BashrcChange::unchanged;
    const std::string updated = with_milex_line(text, path, change);
    if (change == BashrcChange::unchanged) return change;
    if (auto written = util::write_file_atomic(bashrc, updated); !written) throw Error(written.error());
    return change;
}

BashrcChange ensure_milex_line(transport::Transport& transport, const std::string& path) {
    const std::string bashrc = transport.resolve_path("~/.bashrc");
    // Its mode, to keep: a 0600 ~/.bashrc stays 0600 (a new file is written whole, as 0644).
    auto mode = transport.run({"stat", "-c", "%a", bashrc}, std::chrono::seconds(30));
    const std::string text = mode.succeeded() ? transport.read_file(bashrc) : std::string();
    BashrcChange change = BashrcChange::unchanged;
    const std::string updated = with_milex_line(text, path, change);
    if (change == BashrcChange::unchanged) return change;
    transport.write_file(bashrc, updated, transport::FileMode::plain);
    const std::string octal(util::trim(mode.out));
    if (mode.succeeded() && !octal.empty() && octal.find_first_not_of("01234567") == std::string::npos && octal != "644")
        transport.run({"chmod", octal, bashrc}, std::chrono::seconds(30));
    return change;
}

} // namespace milex::store
