#include "milex/introspect/snapshot.hpp"

#include <fstream>
#include <unistd.h>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/file.hpp"
#include "milex/util/hash.hpp"
#include "milex/util/process.hpp"
#include "milex/util/tar.hpp"
#include "milex/util/text.hpp"

namespace milex::introspect {

namespace fs = std::filesystem;

namespace {

constexpr std::chrono::seconds k_git_timeout{120};

/// `git -C dir words…`; the result whatever it is (nullopt when git cannot be started).
std::optional<util::ProcessResult> git_in(const fs::path& dir, std::vector<std::string> words,
                                          std::vector<std::pair<std::string, std::string>> env = {}) {
    words.insert(words.begin(), {"git", "-C", dir.string()});
    util::ProcessOptions options;
    options.timeout = k_git_timeout;
    options.env = std::move(env);
    auto result = util::run_process(words, options);
    if (!result) return std::nullopt;
    return std::move(*result);
}

/// `git -C dir words…`'s output; throws Error naming the command and git's last line when it fails.
std::string git_must(const fs::path& dir, const std::vector<std::string>& words,
                     std::vector<std::pair<std::string, std::string>> env = {}) {
    auto result = git_in(dir, words, std::move(env));
    if (!result) throw Error("--snapshot needs git on this computer's PATH");
    if (!result->succeeded())
        throw Error(fmt::format("--snapshot: git {} in {} failed: {}", util::join(words, " "), dir.string(),
                                util::last_line(result->err)));
    return std::move(result->out);
}

/// The top of the work tree holding `dir`, if it is in one.
std::optional<fs::path> work_tree_of(const fs::path& dir) {
    auto result = git_in(dir, {"rev-parse", "--show-toplevel"});
    if (!result || !result->succeeded()) return std::nullopt;
    return fs::path(std::string(util::trim(result->out)));
}

/// `path` relative to `root` ("." for the root itself), when it is inside it.
std::optional<std::string> inside(const fs::path& root, const fs::path& path) {
    std::error_code ec;
    const fs::path r = fs::weakly_canonical(root, ec), p = fs::weakly_canonical(path, ec);
    const fs::path rel = p.lexically_relative(r);
    if (rel.empty() || *rel.begin() == "..") return std::nullopt;
    return rel.string();
}

/// The tree holding `folder`; the job runs from `folder` (from the root when `folder` is null).
CodeTree tree_at(const fs::path& holder, const std::optional<fs::path>& folder, const std::string& found_by,
                 const std::optional<fs::path>& executable) {
    CodeTree tree;
    tree.root = *work_tree_of(holder);
    tree.code = folder ? inside(tree.root, *folder).value_or(".") : ".";
    if (executable)
        if (auto bin = inside(tree.root, executable->parent_path())) tree.bin = *bin;
    tree.found_by = found_by;
    return tree;
}

/// The tree's changes as `git status` shows them (untracked files that are not ignored, and
/// submodules with changes, count).
std::string changes_of(const fs::path& root) {
    return git_must(root, {"status", "--porcelain", "--untracked-files=normal"});
}

struct Archived {
    std::string tar;   ///< archives of the tree and its submodules, each without its end blocks
    std::string diff;  ///< the uncommitted changes of the tree and its submodules
};

/// Adds the tree at `root` to `out` under `prefix`: its commit `commit`, or (dirty) the tree as
/// it is, read through a temporary copy of its index so that the user's index is left alone.
void archive_tree(const fs::path& root, const std::string& commit, const std::string& prefix, Dirty dirty,
                  const fs::path& scratch, Archived& out) {
    std::string treeish = commit;
    if (dirty == Dirty::allow && !changes_of(root).empty()) {
        const fs::path index = scratch / fmt::format("index.{}.{}", ::getpid(), out.tar.size());
        std::string git_index = std::string(util::trim(git_must(root, {"rev-parse", "--git-path", "index"})));
        fs::path source = fs::path(git_index).is_absolute() ? fs::path(git_index) : root / git_index;
        std::error_code ec;
        fs::copy_file(source, index, fs::copy_options::overwrite_existing, ec);  // none yet: git starts empty
        const std::vector<std::pair<std::string, std::string>> env = {{"GIT_INDEX_FILE", index.string()}};
        try {
            git_must(root, {"add", "-A", "--", "."}, env);
            treeish = std::string(util::trim(git_must(root, {"write-tree"}, env)));
        } catch (...) {
            fs::remove(index, ec);
            throw;
        }
        fs::remove(index, ec);
        out.diff += git_must(root, {"diff", "--binary", "--no-color", "--src-prefix=a/" + prefix,
                                    "--dst-prefix=b/" + prefix, commit, treeish});
    }
    std::vector<std::string> words = {"archive", "--format=tar"};
    if (!prefix.empty()) words.push_back("--prefix=" + prefix);
    words.push_back(treeish);
    const std::string tar = git_must(root, words);
    out.tar.append(tar, 0, util::tar_end(tar));
    // Submodules: the gitlinks of the tree archived, each at its recorded commit.
    for (const auto& entry : util::split(git_must(root, {"ls-tree", "-r", "-z", treeish}), '\0')) {
        if (!entry.starts_with("160000 commit ")) continue;
        const size_t tab = entry.find('\t');
        if (tab == std::string::npos) continue;
        const std::string sub_commit = entry.substr(14, tab - 14);
        const std::string path = entry.substr(tab + 1);
        const fs::path sub = root / path;
        auto top = work_tree_of(sub);
        std::error_code ec;
        if (!top || fs::weakly_canonical(*top, ec) != fs::weakly_canonical(sub, ec))
            throw Error(fmt::format("--snapshot: submodule {} of {} is not checked out; run git submodule update "
                                    "--init --recursive there",
                                    path, root.string()));
        archive_tree(sub, sub_commit, prefix + path + "/", dirty, scratch, out);
    }
}

std::string first_lines(const std::string& text, size_t count) {
    auto lines = util::split(std::string(util::trim(text)), '\n');
    std::vector<std::string> some;
    for (size_t i = 0; i < lines.size() && i < count; ++i) some.push_back(std::string(util::trim(lines[i])));
    std::string out = util::join(some, ", ");
    if (lines.size() > count) out += fmt::format(", … {} more", lines.size() - count);
    return out;
}

} // namespace

std::optional<fs::path> editable_project(const fs::path& executable) {
    std::ifstream in(executable);
    std::string shebang;
    if (!in || !std::getline(in, shebang) || !shebang.starts_with("#!")) return std::nullopt;
    // The console script's interpreter: <venv>/bin/python…; its site-packages hold the dist-infos.
    std::string interpreter(util::trim(shebang.substr(2)));
    interpreter = interpreter.substr(0, interpreter.find(' '));
    const fs::path prefix = fs::path(interpreter).parent_path().parent_path();
    const std::string name = executable.filename().string();
    std::error_code ec;
    for (const auto& lib : {prefix / "lib", prefix / "lib64"}) {
        for (const auto& python : fs::directory_iterator(lib, ec)) {
            const fs::path site = python.path() / "site-packages";
            for (const auto& info : fs::directory_iterator(site, ec)) {
                if (info.path().extension() != ".dist-info") continue;
                auto points = util::read_file(info.path() / "entry_points.txt");
                if (!points) continue;
                bool names_it = false, console = false;
                for (const auto& raw : util::split(*points, '\n')) {
                    const std::string line(util::trim(raw));
                    if (line.starts_with("[")) console = line == "[console_scripts]";
                    else if (console && line.substr(0, line.find('=')).find_first_not_of(' ') != std::string::npos &&
                             util::trim(line.substr(0, line.find('='))) == name)
                        names_it = true;
                }
                if (!names_it) continue;
                auto direct = util::read_file(info.path() / "direct_url.json");
                if (!direct) return std::nullopt;
                auto j = nlohmann::json::parse(*direct, nullptr, false);
                if (!j.is_object() || !j.contains("url") || !j["url"].is_string()) return std::nullopt;
                const bool editable = j.contains("dir_info") && j["dir_info"].is_object() &&
                                      j["dir_info"].value("editable", false);
                const std::string url = j["url"].get<std::string>();
                if (!editable || !url.starts_with("file://")) return std::nullopt;
                return fs::path(url.substr(7));
            }
        }
    }
    return std::nullopt;
}

CodeTree find_code_tree(const std::string& app, const std::optional<std::string>& code_flag) {
    const auto found = util::find_on_path(app);
    std::optional<fs::path> executable;
    std::error_code ec;
    if (found) {
        auto real = fs::canonical(*found, ec);
        if (!ec) executable = real;
    }
    if (code_flag) {
        const fs::path folder = fs::absolute(*code_flag, ec);
        if (!fs::is_directory(folder, ec))
            throw UsageError(fmt::format("--code \"{}\" is not a folder", *code_flag));
        if (!work_tree_of(folder))
            throw UsageError(fmt::format("--code \"{}\" is not in a git work tree; a snapshot is of a "
                                         "commit (git init and commit the code first)",
                                         *code_flag));
        return tree_at(folder, folder, "--code", executable);
    }
    if (found) {
        if (auto project = editable_project(*found); project && work_tree_of(*project))
            return tree_at(*project, *project, "its editable pip install", executable);
        if (executable && work_tree_of(executable->parent_path()))
            return tree_at(executable->parent_path(), std::nullopt, "its executable", executable);
    }
    throw Error(fmt::format("--snapshot: no git work tree holds {}'s code ({}, and it is no editable "
                            "pip install of a project in git); give the code's folder with --code DIR",
                            app,
                            executable ? fmt::format("its executable {} is not in one", executable->string())
                                       : fmt::format("{} is not on PATH", app)));
}

TakenSnapshot take_snapshot(const CodeTree& tree, Dirty dirty, const fs::path& code_dir) {
    TakenSnapshot taken;
    auto head = git_in(tree.root, {"rev-parse", "--verify", "-q", "HEAD"});
    if (!head || !head->succeeded())
        throw Error(fmt::format("--snapshot: the work tree {} has no commit yet; commit the code first",
                                tree.root.string()));
    taken.snapshot.commit = std::string(util::trim(head->out));
    taken.snapshot.bin = tree.bin;
    const std::string changes = changes_of(tree.root);
    if (!changes.empty() && dirty == Dirty::refuse)
        throw Error(fmt::format("--snapshot: the work tree {} has uncommitted changes ({}); commit them, or snapshot "
                                "the tree as it is with --snapshot-dirty",
                                tree.root.string(), first_lines(changes, 3)));
    if (auto made = util::make_directories(code_dir); !made) throw Error(made.error());

    Archived archived;
    archive_tree(tree.root, taken.snapshot.commit, "", changes.empty() ? Dirty::refuse : dirty, code_dir, archived);
    archived.tar.append(1024, '\0');
    if (!changes.empty()) {
        taken.snapshot.dirty = true;
        taken.snapshot.diff_sha256 = util::sha256_hex(archived.diff);
    }
    if (auto branch = git_in(tree.root, {"symbolic-ref", "--short", "-q", "HEAD"}); branch && branch->succeeded())
        taken.branch = std::string(util::trim(branch->out));
    if (auto origin = git_in(tree.root, {"config", "--get", "remote.origin.url"}); origin && origin->succeeded()) {
        taken.remote = std::string(util::trim(origin->out));
    } else if (auto remotes = git_in(tree.root, {"remote"}); remotes && remotes->succeeded() &&
                                                             !util::trim(remotes->out).empty()) {
        const std::string first = util::split(std::string(util::trim(remotes->out)), '\n')[0];
        if (auto url = git_in(tree.root, {"config", "--get", "remote." + first + ".url"}); url && url->succeeded())
            taken.remote = std::string(util::trim(url->out));
    }

    const std::string id = taken.snapshot.id();
    taken.archive = code_dir / (id + ".tar");
    std::error_code ec;
    taken.reused = fs::exists(taken.archive, ec);
    auto write = [](const fs::path& path, std::string_view content) {
        if (auto written = util::write_file_atomic(path, content); !written) throw Error(written.error());
    };
    if (taken.snapshot.dirty) write(code_dir / (id + ".diff"), archived.diff);
    nlohmann::ordered_json details = {{"commit", taken.snapshot.commit},
                                      {"branch", taken.branch},
                                      {"remote", taken.remote},
                                      {"dirty", taken.snapshot.dirty}};
    if (taken.snapshot.dirty) details["diff_sha256"] = taken.snapshot.diff_sha256;
    write(code_dir / (id + ".json"), details.dump(2) + "\n");
    if (!taken.reused) write(taken.archive, archived.tar);
    return taken;
}

nlohmann::ordered_json snapshot_details(const fs::path& code_dir, const std::string& id) {
    auto text = util::read_file(code_dir / (id + ".json"));
    if (!text) return nlohmann::ordered_json::object();
    auto j = nlohmann::ordered_json::parse(*text, nullptr, false);
    return j.is_object() ? j : nlohmann::ordered_json::object();
}

} // namespace milex::introspect
