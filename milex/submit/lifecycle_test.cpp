#include <doctest/doctest.h>

#include "milex/submit/remove_runs.hpp"
#include "milex/submit/resume_stopped.hpp"
#include "unit/support.hpp"

using namespace milex;

namespace {

model::JobRun attempt(const std::string& name, int number, const std::string& last_state) {
    model::JobRun job;
    job.name = name;
    job.job_id = name + std::to_string(number);
    job.attempt = number;
    job.states.push_back({"SUBMITTED", "t", "", "", "", ""});
    if (!last_state.empty()) job.states.push_back({last_state, "t", "", "", "", ""});
    return job;
}

} // namespace

TEST_CASE("resume takes the stopped jobs and those never submitted, in the bundle's order, nothing else") {
    const model::Bundle bundle = model::parse_bundle(R"({
        "A": {"script": "a"}, "B": {"script": "b", "dependencies": ["A"]},
        "C": {"script": "c", "dependencies": ["B"]}, "D": {"script": "d", "dependencies": ["A"]},
        "E": {"script": "e"}, "F": {"script": "f"}})",
                                                     "b.json");
    const std::vector<size_t> order = {0, 1, 2, 3, 4, 5};
    model::RunRecord record;
    record.jobs = {attempt("A", 1, "COMPLETED"), attempt("B", 1, "STOPPED"), attempt("C", 1, "STOPPED"),
                   attempt("E", 1, "FAILED"), attempt("F", 1, "STOPPED"), attempt("F", 2, "RUNNING")};
    // B and C were stopped, D never submitted; E failed (resubmit's), F's stop was resumed already.
    CHECK(submit::jobs_to_resume(record, bundle, order) == std::vector<std::string>{"B", "C", "D"});
    record.jobs.push_back(attempt("B", 2, "PENDING"));
    record.jobs.push_back(attempt("C", 2, ""));
    record.jobs.push_back(attempt("D", 1, "PENDING"));
    CHECK(submit::jobs_to_resume(record, bundle, order).empty());
}

TEST_CASE("clean picks ended runs older than the cutoff, never a live one, and a bundle's checkpoints with its last run") {
    using namespace std::chrono_literals;
    const auto now = std::filesystem::file_time_type::clock::now();
    const auto cutoff = now - 24h * 30;
    const auto old = now - 24h * 40, recent = now - 1h;
    const std::vector<submit::RunAge> runs = {
        {"a_1", "local", old, true},     // 0: picked, its bundle's only run: checkpoints too
        {"b_1", "local", old, true},     // 1: picked, but b_1's run 2 is recent: checkpoints stay
        {"b_1", "local", recent, true},  // 2: too recent
        {"c_1", "local", old, false},    // 3: live, however old
        {"c_1", "far", old, true},       // 4: picked; c_1 on local is another machine's folder
        {"d_1", "far", old, true},       // 5: picked
    };
    auto picked = [&](const std::optional<std::string>& machine) {
        std::vector<std::pair<size_t, bool>> out;
        for (const auto& pick : submit::pick_runs_to_clean(runs, cutoff, machine)) out.emplace_back(pick.index, pick.checkpoints);
        return out;
    };
    CHECK(picked(std::nullopt) == std::vector<std::pair<size_t, bool>>{{0, true}, {1, false}, {4, true}, {5, true}});
    CHECK(picked(std::string("far")) == std::vector<std::pair<size_t, bool>>{{4, true}, {5, true}});
    CHECK(picked(std::string("elsewhere")).empty());
    // With a cutoff before every run, nothing.
    CHECK(submit::pick_runs_to_clean(runs, now - 24h * 50, std::nullopt).empty());
}

TEST_CASE("a run's files: every attempt's script, its logs and exit-status files by pattern, checkpoints on request") {
    model::Machine machine;
    machine.name = "far";
    machine.path = "~/milex";
    model::RunRecord record;
    record.bundle = "d_20261122000000";
    record.submission = 1;
    model::JobRun a = attempt("A", 1, "COMPLETED");
    a.job_id = "11";
    a.script = "~/milex/slurm/d_20261122000000_A.sh";
    model::JobRun a2 = a;
    a2.job_id = "12";
    a2.attempt = 2;
    a2.script = "~/milex/slurm/d_20261122000000_A.attempt2.sh";
    record.jobs = {a, a2};
    const auto files = submit::run_files(record, machine, nullptr, false);
    CHECK(files.paths == std::vector<std::string>{"~/milex/slurm/d_20261122000000.run1.lock",
                                                  "~/milex/slurm/d_20261122000000_A.attempt2.sh",
                                                  "~/milex/slurm/d_20261122000000_A.sh"});
    CHECK(files.patterns == std::vector<std::string>{"~/milex/slurm/A-11.*", "~/milex/slurm/A-11_*.*",
                                                     "~/milex/slurm/A-12.*", "~/milex/slurm/A-12_*.*"});
    const auto with = submit::run_files(record, machine, nullptr, true);
    CHECK(std::find(with.paths.begin(), with.paths.end(), "~/milex/checkpoints/d_20261122000000") != with.paths.end());
}
