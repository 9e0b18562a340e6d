#pragma once
/// Code snapshots taken on this computer: which git work tree holds an application's code,
/// and that tree at one commit (with its uncommitted changes, when asked) as one tar archive
/// kept under `<local path>/code/` until milex-run ships it.
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "milex/model/snapshot.hpp"

namespace milex::introspect {

/// Where an application's code is: a git work tree, and the folders in it the job uses.
struct CodeTree {
    std::filesystem::path root;  ///< the work tree's top
    std::string code;            ///< the code's folder, relative to root ("." for the root)
    std::string bin;             ///< the executable's folder, relative to root, when it is in the tree
    std::string found_by;        ///< for messages: "--code", "its editable pip install", "its executable"
};

/// The tree of `app`'s code: `code_flag` (a folder, relative to the working directory) when
/// given, else the project of an editable pip install whose console script `app` is (its
/// direct_url.json), else the tree holding `app`'s executable (found on PATH, links followed).
/// Throws Error saying what was looked at when none is a git work tree.
CodeTree find_code_tree(const std::string& app, const std::optional<std::string>& code_flag);

/// The project folder of the editable pip install that provides the console script at
/// `executable` (its python's site-packages, a dist-info whose entry_points.txt names it, its
/// direct_url.json with "editable": true), if it is one.
std::optional<std::filesystem::path> editable_project(const std::filesystem::path& executable);

enum class Dirty { refuse, allow };

/// A snapshot taken: what the bundle records, and what the run record adds.
struct TakenSnapshot {
    model::Snapshot snapshot;
    std::string branch;  ///< empty when detached
    std::string remote;  ///< the URL of origin (else of the first remote), if any
    std::filesystem::path archive;  ///< `<code_dir>/<id>.tar`
    bool reused = false;            ///< the archive was there already
};

/// Takes the snapshot of `tree` at its HEAD: `git archive` of the commit, its submodules
/// (recursively) at their recorded commits, in one tar archive written to `<code_dir>/<id>.tar`
/// with `<id>.json` (commit, branch, remote, dirty, diff_sha256) beside it. A tree with changes
/// (untracked files that git does not ignore count) is refused unless `dirty` is allow; then the
/// archive is of the tree as it is (committed and uncommitted, through a temporary index), and
/// the diff against the commit is kept as `<id>.diff`. An archive already there is reused.
TakenSnapshot take_snapshot(const CodeTree& tree, Dirty dirty, const std::filesystem::path& code_dir);

/// What `<code_dir>/<id>.json` says about a snapshot (commit, branch, remote, dirty,
/// diff_sha256), or an empty object when it is not there.
nlohmann::ordered_json snapshot_details(const std::filesystem::path& code_dir, const std::string& id);

} // namespace milex::introspect
