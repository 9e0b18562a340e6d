#include <doctest/doctest.h>

#include "milex/model/bundle.hpp"
#include "milex/model/snapshot.hpp"
#include "milex/util/error.hpp"

using namespace milex;
using namespace milex::model;

namespace {
const std::string k_commit = "0123456789abcdef0123456789abcdef01234567";
const std::string k_diff = std::string(64, 'e');

std::vector<std::string> snapshot_problems(const std::string& snapshot, const std::string& code = "\".\"") {
    try {
        parse_bundle(R"({"a": {"script": "train", "code": )" + code + R"(, "snapshot": )" + snapshot + "}}", "b.json");
    } catch (const Error& e) {
        return e.lines();
    }
    return {};
}
} // namespace

TEST_CASE("a snapshot is named by its commit, a dirty one by its commit and its diff's hash") {
    Snapshot clean{k_commit, false, "", "bin"};
    CHECK(clean.id() == k_commit);
    Snapshot dirty{k_commit, true, k_diff, ""};
    CHECK(dirty.id() == k_commit + "-dirty-eeeeeeeeeeee");
    CHECK(dirty.to_json().dump() == R"({"commit":")" + k_commit + R"(","dirty":true,"diff_sha256":")" + k_diff + "\"}");
}

TEST_CASE("a job's snapshot and code survive a bundle's round trip") {
    auto bundle = parse_bundle(R"({"a": {"script": "train", "code": "src", "snapshot": {"commit": ")" + k_commit +
                                   R"(", "dirty": false, "bin": "bin"}}})",
                               "b.json");
    const Job& job = bundle.jobs.at(0);
    REQUIRE(job.snapshot);
    CHECK(job.snapshot->commit == k_commit);
    CHECK(job.snapshot->bin == "bin");
    CHECK(job.code == "src");
    CHECK(job.to_json()["snapshot"] == job.snapshot->to_json());
    CHECK(job.to_json()["code"] == "src");
}

TEST_CASE("a job's snapshot is checked: commit, dirty without a diff hash, paths of the user, containers") {
    CHECK(snapshot_problems("true") ==
          std::vector<std::string>{"b.json: job \"a\" \"snapshot\" must be {\"commit\": \"<40 hex digits>\", \"dirty\": "
                                   "false} as milex-schedule --snapshot writes it"});
    CHECK(snapshot_problems(R"({"commit": "abc"})") ==
          std::vector<std::string>{
              "b.json: job \"a\" \"snapshot\": \"commit\" \"abc\" is not a git commit id (40 hex digits)"});
    CHECK(snapshot_problems(R"({"commit": ")" + k_commit + R"(", "dirty": true})") ==
          std::vector<std::string>{
              "b.json: job \"a\" \"snapshot\" is dirty but has no \"diff_sha256\" (64 hex digits)"});
    CHECK(snapshot_problems(R"({"commit": ")" + k_commit + R"(", "dirty": false})", "\"/home/ada/train\"") ==
          std::vector<std::string>{"b.json: job \"a\" \"code\" \"/home/ada/train\" must be relative to the code tree's "
                                   "root, so the bundle holds no path of yours"});
    CHECK(snapshot_problems(R"({"commit": ")" + k_commit + R"(", "bin": "../x"})") ==
          std::vector<std::string>{"b.json: job \"a\" \"snapshot\": \"bin\" \"../x\" must stay inside the code tree (no \"..\")"});
    CHECK(snapshot_problems(R"({"commit": ")" + k_commit + R"(", "branch": "main"})") ==
          std::vector<std::string>{"b.json: job \"a\" \"snapshot\" has unknown key \"branch\""});
    CHECK(code_path_problem("src/pkg").empty());
    CHECK(code_path_problem("a/..b").empty());
}
