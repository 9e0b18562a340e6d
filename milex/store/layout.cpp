#include "milex/store/layout.hpp"

#include <cctype>

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

std::string machine_variable(const std::string& machine) {
    std::string name = "MILEX_";
    for (char c : machine) name += util::shell_name_char(c) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : '_';
    return name;
}

std::string with_machine_lines(const std::string& text, const std::string& machine, const std::string& path,
                               MachineLines& result) {
    const std::string own_prefix = "export " + machine_variable(machine) + "=", milex_prefix = "export MILEX=";
    const std::string value = util::shell_quote(path);
    std::vector<std::string> lines;
    std::optional<size_t> own, milex;
    std::string own_before;
    bool changed = false;
    std::vector<std::string> given = util::split(text, '\n');
    const bool final_newline = !text.empty() && text.back() == '\n';
    if (final_newline || text.empty()) given.pop_back();
    for (auto& existing : given) {
        const std::string_view trimmed = util::trim(existing);
        const bool is_own = trimmed.starts_with(own_prefix), is_milex = trimmed.starts_with(milex_prefix);
        // A second line of either (the Python milex appended one on every run): the first is ours.
        if ((is_own && own) || (is_milex && milex)) {
            changed = true;
            continue;
        }
        if (is_own) {
            own = lines.size();
            own_before = std::string(trimmed.substr(own_prefix.size()));
        }
        if (is_milex) milex = lines.size();
        lines.push_back(existing);
    }
    bool added = false;
    if (!milex) {
        lines.push_back("# milex keeps its files here (written by milex-configuration)");
        lines.push_back(milex_prefix + value);
        added = true;
    } else {
        const std::string current(util::trim(lines[*milex]).substr(milex_prefix.size()));
        // The same path however it was quoted (the Python milex wrote "…").
        const bool same = current == "\"" + path + "\"" || current == path;
        if (current != value) {
            // MILEX follows this machine only when it was this machine's path before.
            if (same || (own && current == own_before)) {
                lines[*milex] = milex_prefix + value;
                changed = true;
            } else {
                result.milex_kept = current;
            }
        }
    }
    if (!own) {
        lines.push_back(own_prefix + value);
        added = true;
    } else if (own_before != value) {
        lines[*own] = own_prefix + value;
        changed = true;
    }
    result.change = added ? BashrcChange::added : changed ? BashrcChange::updated : BashrcChange::unchanged;
    std::string updated = util::join(lines, "\n");
    if (final_newline || added) updated += '\n';
    return updated;
}

MachineLines ensure_machine_lines(transport::Transport& transport, const std::string& machine,
                                  const std::string& path) {
    const std::string bashrc = transport.resolve_path("~/.bashrc");
    // Its mode, to keep: a 0600 ~/.bashrc stays 0600 (a new file is written whole, as 0644).
    auto mode = transport.run({"stat", "-c", "%a", bashrc}, std::chrono::seconds(30));
    const std::string text = mode.succeeded() ? transport.read_file(bashrc) : std::string();
    MachineLines result;
    const std::string updated = with_machine_lines(text, machine, path, result);
    if (result.change == BashrcChange::unchanged) return result;
    transport.write_file(bashrc, updated, transport::FileMode::plain);
    const std::string octal(util::trim(mode.out));
    if (mode.succeeded() && !octal.empty() && octal.find_first_not_of("01234567") == std::string::npos && octal != "644")
        transport.run({"chmod", octal, bashrc}, std::chrono::seconds(30));
    return result;
}

} // namespace milex::store
