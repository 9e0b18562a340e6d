#include <doctest/doctest.h>

#include <cstdlib>

#include "milex/introspect/snapshot.hpp"
#include "milex/util/error.hpp"
#include "milex/util/hash.hpp"
#include "milex/util/process.hpp"
#include "unit/support.hpp"

using namespace milex;
using namespace milex::introspect;
namespace fs = std::filesystem;

namespace {

void git(const fs::path& dir, std::vector<std::string> words) {
    words.insert(words.begin(), {"git", "-C", dir.string(), "-c", "user.name=t", "-c", "user.email=t@example.org",
                                 "-c", "protocol.file.allow=always"});
    auto result = util::run_process(words);
    REQUIRE(result);
    INFO(result->err);
    REQUIRE(result->succeeded());
}

/// A repository at `dir` with `app` (an executable in bin/) and a VERSION file, committed.
fs::path make_repo(const fs::path& dir) {
    fs::create_directories(dir / "bin");
    test::write_script(dir / "bin", "app", "cat \"$(dirname \"$0\")/../VERSION\"");
    test::write_file(dir / "VERSION", "v1\n");
    test::write_file(dir / ".gitignore", "*.log\n");
    git(dir, {"init", "-q", "-b", "main"});
    git(dir, {"add", "-A"});
    git(dir, {"commit", "-qm", "v1"});
    return dir;
}

/// The names in a tar archive, by `tar -t`.
std::string listing(const fs::path& archive) {
    auto result = util::run_process({"tar", "-tf", archive.string()});
    REQUIRE(result);
    REQUIRE(result->succeeded());
    return result->out;
}

} // namespace

TEST_CASE("the code tree: --code, else the tree of the executable; outside git an error says what was looked at") {
    const fs::path repo = make_repo(test::temp_dir() / "repo");
    fs::create_directories(repo / "src");
    test::ScopedEnv path("PATH", (repo / "bin").string() + ":" + std::getenv("PATH"));
    CodeTree tree = find_code_tree("app", std::nullopt);
    CHECK(tree.root == fs::canonical(repo));
    CHECK(tree.code == ".");
    CHECK(tree.bin == "bin");
    CHECK(tree.found_by == "its executable");
    tree = find_code_tree("app", (repo / "src").string());
    CHECK(tree.code == "src");
    CHECK(tree.found_by == "--code");

    const fs::path loose = test::temp_dir() / "loose";
    fs::create_directories(loose);
    test::write_script(loose, "looseapp", "true");
    test::ScopedEnv loose_path("PATH", loose.string() + ":" + std::getenv("PATH"));
    CHECK_THROWS_WITH(find_code_tree("looseapp", std::nullopt),
                      ("--snapshot: no git work tree holds looseapp's code (its executable " +
                       fs::canonical(loose / "looseapp").string() +
                       " is not in one, and it is no editable pip install of a project in git); give the code's folder "
                       "with --code DIR")
                          .c_str());
    CHECK_THROWS_WITH(find_code_tree("looseapp", loose.string()),
                      ("--code \"" + loose.string() +
                       "\" is not in a git work tree; a snapshot is of a commit (git init and commit the code first)")
                          .c_str());
}

TEST_CASE("an editable pip install leads to its project through direct_url.json") {
    const fs::path venv = test::temp_dir() / "venv";
    const fs::path info = venv / "lib/python3.11/site-packages/train-0.1.dist-info";
    fs::create_directories(info);
    fs::create_directories(venv / "bin");
    test::write_file(venv / "bin/train", "#!" + (venv / "bin/python").string() + "\nimport sys\n");
    test::write_file(info / "entry_points.txt", "[console_scripts]\ntrain = train.main:main\ntrain-cli = train.cli:main\n");
    test::write_file(info / "direct_url.json", R"({"url": "file:///home/ada/train", "dir_info": {"editable": true}})");
    CHECK(editable_project(venv / "bin/train") == fs::path("/home/ada/train"));
    CHECK_FALSE(editable_project(venv / "bin/other"));
    // Installed from a wheel or a folder (not editable): the code is the installed copy.
    test::write_file(info / "direct_url.json", R"({"url": "file:///home/ada/train", "dir_info": {}})");
    CHECK_FALSE(editable_project(venv / "bin/train"));
}

TEST_CASE("a clean tree's snapshot is its commit with its submodules; a second take reuses the archive") {
    const fs::path sub = make_repo(test::temp_dir() / "lib");
    const fs::path repo = make_repo(test::temp_dir() / "repo");
    git(repo, {"submodule", "add", "-q", sub.string(), "vendor/lib"});
    git(repo, {"commit", "-qm", "with lib"});
    test::write_file(repo / "run.log", "ignored\n");
    const fs::path code = test::temp_dir() / "code";
    CodeTree tree{repo, ".", "bin", "--code"};
    TakenSnapshot taken = take_snapshot(tree, Dirty::refuse, code);
    CHECK_FALSE(taken.snapshot.dirty);
    CHECK(taken.snapshot.commit.size() == 40);
    CHECK(taken.branch == "main");
    CHECK_FALSE(taken.reused);
    CHECK(taken.archive == code / (taken.snapshot.commit + ".tar"));
    const std::string names = listing(taken.archive);
    CHECK(names.find("bin/app\n") != std::string::npos);
    CHECK(names.find("vendor/lib/VERSION\n") != std::string::npos);
    CHECK(names.find("run.log") == std::string::npos);
    CHECK(fs::exists(code / (taken.snapshot.commit + ".json")));
    CHECK(take_snapshot(tree, Dirty::refuse, code).reused);
}

TEST_CASE("a tree with changes is refused unless asked; then it is archived as it is, its diff hashed") {
    const fs::path repo = make_repo(test::temp_dir() / "repo");
    const fs::path code = test::temp_dir() / "code";
    test::write_file(repo / "VERSION", "v2\n");
    test::write_file(repo / "new.txt", "untracked\n");
    CodeTree tree{repo, ".", "bin", "--code"};
    CHECK_THROWS_WITH(take_snapshot(tree, Dirty::refuse, code),
                      ("--snapshot: the work tree " + repo.string() +
                       " has uncommitted changes (M VERSION, ?? new.txt); commit them, or snapshot the tree as it is "
                       "with --snapshot-dirty")
                          .c_str());
    CHECK_FALSE(fs::exists(code));
    TakenSnapshot taken = take_snapshot(tree, Dirty::allow, code);
    CHECK(taken.snapshot.dirty);
    const std::string diff = test::read_file(code / (taken.snapshot.id() + ".diff"));
    CHECK(taken.snapshot.diff_sha256 == util::sha256_hex(diff));
    CHECK(diff.find("+v2") != std::string::npos);
    CHECK(diff.find("b/new.txt") != std::string::npos);
    CHECK(listing(taken.archive).find("new.txt\n") != std::string::npos);
    // The user's index is left alone: new.txt is still untracked.
    auto status = util::run_process({"git", "-C", repo.string(), "status", "--porcelain"});
    REQUIRE(status);
    CHECK(status->out == " M VERSION\n?? new.txt\n");
}
