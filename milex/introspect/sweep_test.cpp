#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "milex/introspect/sweep.hpp"
#include "milex/util/error.hpp"

using namespace milex;

TEST_CASE("a sweep file's grid, and one too large to build is refused before it is built") {
    auto spec = introspect::sweep_from_text("lr: [0.1, 0.01]\nn: [1, 2, 3]\n", "sweep.yaml");
    CHECK(spec.options == std::vector<std::string>{"lr", "n"});
    REQUIRE(spec.combinations.size() == 6);
    CHECK(spec.combinations[1][1] == 2);

    // 10^6 combinations: a typing mistake, not a sweep.
    // Appended piece by piece: GCC 12 warns wrongly (-Warray-bounds, its bug 105651) about
    // std::string(1, c) + "literal" when inlining grows, as it did in this unity batch.
    std::string huge;
    for (char option = 'a'; option < 'g'; ++option) (huge += option) += ": [0,1,2,3,4,5,6,7,8,9]\n";
    REQUIRE_THROWS_WITH(introspect::sweep_from_text(huge, "big.yaml"),
                        "big.yaml: the sweep has more than 100000 combinations; split it into several sweeps");
    std::vector<std::string> flags;
    for (char option = 'a'; option < 'g'; ++option) (flags.emplace_back(1, option)) += "=0,1,2,3,4,5,6,7,8,9";
    REQUIRE_THROWS_WITH(introspect::sweep_from_flags(flags),
                        "--sweep: the sweep has more than 100000 combinations; split it into several sweeps");
}

TEST_CASE("a sweep file that is not UTF-8 is an error naming the place, not a crash") {
    // The input fuzz_sweep found (crash-7557a091876799d078af147b1d349ec5a8fac7af).
    const std::string found = "co;binations:\n  - {lr: 0.1, batch: 32}\n  - {\xecr: 0.01, bat&h: 64}\n";
    REQUIRE_THROWS_WITH(introspect::sweep_from_text(found, "sweep.yaml"),
                        "sweep.yaml:3:6: invalid YAML: byte 0xec is not UTF-8 text; save the file as UTF-8");
}

namespace {

/// A -cli that reads `--key=value` words into an object, sleeps a little differently on each
/// call (so that parallel calls end out of order), refuses the values in `refused` (`slow`
/// after a while, the others at once) and leaves out the keys in `unknown`.
introspect::DescribeArguments fake_cli(std::set<std::string> refused, std::string slow = "",
                                       std::set<std::string> unknown = {}) {
    auto calls = std::make_shared<std::atomic<int>>(0);
    return [=](const std::string& app, const std::vector<std::string>& args, std::chrono::milliseconds) {
        const int call = (*calls)++;
        std::this_thread::sleep_for(std::chrono::microseconds(300 * (call % 4)));
        nlohmann::ordered_json answer = nlohmann::ordered_json::object();
        for (const auto& word : args) {
            const auto eq = word.find('=');
            const std::string key = word.substr(2, eq - 2), value = word.substr(eq + 1);
            if (refused.count(value)) {
                if (value == slow) std::this_thread::sleep_for(std::chrono::milliseconds(5));
                throw Error(fmt::format("{}-cli exited with status 2: invalid value {}", app, value));
            }
            if (!unknown.count(key)) answer[key] = value;
        }
        return answer;
    };
}

} // namespace

TEST_CASE("a sweep's -cli checks run in parallel and fail as one by one would: the first refused value") {
    const auto spec = introspect::sweep_from_flags({"lr=a,b,c,d,e,f", "count=1,2,3,4,5,6,7,8"});
    for (size_t jobs : {size_t{1}, size_t{2}, size_t{8}}) {
        CAPTURE(jobs);
        model::Job job;
        job.script = "app";
        introspect::describe_sweep(job, {"--data=x"}, spec, std::chrono::seconds(5), nullptr, jobs, fake_cli({}));
        CHECK(job.script_args.dump() == R"({"lr":"a","count":"1","data":"x"})");
        REQUIRE(job.sweep);
        CHECK(job.sweep->keys == std::vector<std::string>{"lr", "count"});
        CHECK(job.sweep->combinations.size() == 48);

        // "c" (refused slowly) comes before "7" in the order of the calls: lr's values, then n's.
        for (int round = 0; round < 3; ++round)
            REQUIRE_THROWS_WITH(introspect::describe_sweep(job, {}, spec, std::chrono::seconds(5), nullptr, jobs,
                                                           fake_cli({"c", "7"}, "c")),
                                "--sweep lr=c: app-cli exited with status 2: invalid value c");
        // An option that sets no key is said before any refused value, as it was checked first.
        REQUIRE_THROWS_WITH(introspect::describe_sweep(job, {}, spec, std::chrono::seconds(5), nullptr, jobs,
                                                       fake_cli({"7"}, "", {"count"})),
                            "--sweep count: app-cli has no option --count that takes a value");
        // The first combination refused: its own error, as the first call.
        REQUIRE_THROWS_WITH(introspect::describe_sweep(job, {}, spec, std::chrono::seconds(5), nullptr, jobs,
                                                       fake_cli({"1", "c"}, "1")),
                            "app-cli exited with status 2: invalid value 1");
    }
}
