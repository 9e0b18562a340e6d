#include <doctest/doctest.h>

#include "milex/observe/status.hpp"
#include "unit/fakes.hpp"
#include "unit/support.hpp"

using namespace milex;
using scheduler::State;
namespace test = milex::test;

namespace {

model::JobRun job(const std::string& name, const std::string& id, std::vector<std::string> after = {}) {
    model::JobRun j;
    j.name = name;
    j.job_id = id;
    j.after = std::move(after);
    j.submitted = "2026-11-22T03:00:00Z";
    j.states.push_back({"SUBMITTED", j.submitted, "", "", "", ""});
    return j;
}

scheduler::JobReport report(State state, std::string exit_code = "") {
    scheduler::JobReport r;
    r.job.state = state;
    r.job.exit_code = std::move(exit_code);
    return r;
}

struct Fixture {
    store::RunStore runs{test::temp_dir()};
    store::StoredRun run;
    Fixture() {
        run.path = test::temp_dir() / "d_20261122000000@local.1.json";
        run.record.bundle = "d_20261122000000";
        run.record.machine = "local";
        run.record.job_count = 3;
        run.record.jobs = {job("A", "10"), job("B", "11", {"10"}), job("C", "12", {"11"})};
        runs.save(run.path, run.record);
    }
};

std::vector<std::string> states(const std::vector<observe::JobStatus>& jobs) {
    std::vector<std::string> out;
    for (const auto& j : jobs) out.push_back(j.name + "=" + observe::state_text(j.state));
    return out;
}

} // namespace

TEST_CASE("ended jobs are remembered in the record and never asked about again") {
    Fixture f;
    test::FakeScheduler slurm;
    slurm.states["10"] = report(State::completed, "0");
    slurm.states["11"] = report(State::running);
    slurm.states["12"] = report(State::pending);
    CHECK(states(observe::refresh(f.run, slurm, f.runs)) ==
          std::vector<std::string>{"A=COMPLETED", "B=RUNNING", "C=PENDING"});
    REQUIRE(slurm.queries.size() == 1);
    CHECK(slurm.queries[0].size() == 3);

    slurm.states["11"] = report(State::failed, "3");
    CHECK(states(observe::refresh(f.run, slurm, f.runs)) ==
          std::vector<std::string>{"A=COMPLETED", "B=FAILED", "C=PENDING"});
    REQUIRE(slurm.queries.size() == 2);
    CHECK(slurm.queries[1].size() == 2);  // A ended: not asked

    // The history is on disk: SUBMITTED, then every state seen.
    auto saved = f.runs.load(f.run.path).record;
    std::vector<std::string> history;
    for (const auto& change : saved.find("B")->states) history.push_back(change.state);
    CHECK(history == std::vector<std::string>{"SUBMITTED", "RUNNING", "FAILED"});
    CHECK(saved.find("B")->states.back().exit_code == "3");
}

TEST_CASE("a job gone without a trace after its dependency failed never ran") {
    Fixture f;
    test::FakeScheduler slurm;
    slurm.states["10"] = report(State::failed, "3");
    slurm.states["11"] = report(State::unknown);
    slurm.states["12"] = report(State::unknown);
    auto jobs = observe::refresh(f.run, slurm, f.runs);
    CHECK(states(jobs) == std::vector<std::string>{"A=FAILED", "B=never ran: dependency failed",
                                                   "C=never ran: dependency failed"});
    CHECK(jobs[1].state.reason == "dependency 10 FAILED");
    CHECK(observe::all_ended(jobs));
}

TEST_CASE("a job gone without a trace and without a failed dependency stays unknown, never a success") {
    Fixture f;
    test::FakeScheduler slurm;
    slurm.states["10"] = report(State::unknown);
    slurm.states["11"] = report(State::pending);
    slurm.states["12"] = report(State::pending);
    auto jobs = observe::refresh(f.run, slurm, f.runs);
    CHECK(jobs[0].state.state == State::unknown);
    CHECK_FALSE(observe::all_ended(jobs));
    // Unknown is not written as a state: the next look asks again.
    observe::refresh(f.run, slurm, f.runs);
    CHECK(slurm.queries.back().size() == 3);
}

TEST_CASE("the latest attempt of a resubmitted job is the one observed") {
    Fixture f;
    model::JobRun again = job("B", "20", {"10"});
    again.attempt = 2;
    f.run.record.jobs.push_back(again);
    f.runs.save(f.run.path, f.run.record);
    test::FakeScheduler slurm;
    slurm.states["10"] = report(State::completed);
    slurm.states["20"] = report(State::running);
    slurm.states["12"] = report(State::pending);
    auto jobs = observe::refresh(f.run, slurm, f.runs);
    REQUIRE(jobs.size() == 3);
    CHECK(jobs[1].job_id == "20");
    CHECK(jobs[1].attempt == 2);
}
