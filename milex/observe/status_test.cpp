#include <doctest/doctest.h>

#include "milex/observe/status.hpp"
#include "unit/fakes.hpp"
#include "unit/support.hpp"

using namespace milex;
using scheduler::State;
namespace test = milex::test;

namespace {

model::JobRun job_run(const std::string& name, const std::string& id, std::vector<std::string> after = {}) {
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
        run.record.jobs = {job_run("A", "10"), job_run("B", "11", {"10"}), job_run("C", "12", {"11"})};
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
    model::JobRun again = job_run("B", "20", {"10"});
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

TEST_CASE("after resubmit --failed of an array, status shows every task with its latest attempt and counts them all") {
    Fixture f;
    f.run.record.job_count = 1;
    model::JobRun first = job_run("S", "20");
    first.array = "0-3";
    for (const char* index : {"0", "1", "2", "3"}) {
        const std::string task = index;
        const bool odd = task == "1" || task == "3";
        first.tasks[task] = {odd ? "FAILED" : "COMPLETED", "2026-11-22T03:01:00Z", odd ? "3" : "0", "00:00:01",
                             "node1", ""};
    }
    first.states.push_back({"FAILED", "2026-11-22T03:01:00Z", "3", "", "", "2 of 4 tasks completed"});
    model::JobRun second = job_run("S", "30");
    second.attempt = 2;
    second.array = "1,3";
    f.run.record.jobs = {first, second};
    f.runs.save(f.run.path, f.run.record);

    test::FakeScheduler slurm;
    scheduler::JobReport pending = report(State::pending);
    pending.job.reason = "Priority";
    slurm.states["30"] = pending;
    auto jobs = observe::refresh(f.run, slurm, f.runs);
    REQUIRE(jobs.size() == 1);
    CHECK(jobs[0].attempt == 2);
    CHECK(jobs[0].state.state == State::pending);  // the latest attempt still runs: its own state
    CHECK(jobs[0].state.reason == "Priority");
    REQUIRE(jobs[0].tasks.size() == 2);  // the earlier attempt's completed tasks
    CHECK(jobs[0].earlier_tasks.at("0").job_id == "20");
    CHECK(jobs[0].earlier_tasks.at("2").attempt == 1);

    scheduler::JobReport ended = report(State::failed, "3");
    ended.tasks["1"].state = State::completed;
    ended.tasks["1"].exit_code = "0";
    ended.tasks["3"].state = State::failed;
    ended.tasks["3"].exit_code = "3";
    slurm.states["30"] = ended;
    jobs = observe::refresh(f.run, slurm, f.runs);
    REQUIRE(jobs[0].tasks.size() == 4);
    CHECK(jobs[0].state.state == State::failed);
    CHECK(jobs[0].state.reason == "3 of 4 tasks completed");
    CHECK(jobs[0].earlier_tasks.count("1") == 0);
    CHECK(observe::state_text(jobs[0].tasks.at("1")) == "COMPLETED");
    CHECK(observe::state_text(jobs[0].tasks.at("3")) == "FAILED");

    // The same from the record alone (milex list), and when the record answers (ended).
    auto listed = observe::recorded(f.runs.load(f.run.path).record);
    CHECK(listed[0].tasks.size() == 4);
    CHECK(listed[0].state.reason == "3 of 4 tasks completed");
    jobs = observe::refresh(f.run, slurm, f.runs);
    CHECK(jobs[0].state.reason == "3 of 4 tasks completed");

    auto attempts = observe::task_attempts(f.run.record, "S");
    REQUIRE(attempts.size() == 4);
    CHECK(attempts.at("0")->attempt == 1);
    CHECK(attempts.at("3")->attempt == 2);
    CHECK(observe::task_attempts(f.run.record, "nobody").empty());
}

TEST_CASE("a job's title counts SLURM's requeues as attempts, and the attempts its retries allow") {
    observe::JobStatus s;
    s.name = "B";
    CHECK(s.title() == "B");
    s.attempt = 2;  // milex resubmit
    CHECK(s.title() == "B (attempt 2)");
    s.requeues.push_back({2, "41", "PREEMPTED", "", "", ""});
    CHECK(s.title() == "B (attempt 3)");
    s.retries = 2;
    CHECK(s.title() == "B (attempt 3 of 4)");
}

TEST_CASE("a job's requeues, retries and requeue flag survive the record's JSON") {
    model::JobRun run;
    run.name = "A";
    run.job_id = "41";
    run.requeue = true;
    run.retries = 3;
    run.requeues = {{1, "41", "NODE_FAIL", "2026-12-03T08:19:40", "2026-12-03T08:20:06", ""},
                    {2, "41", "REQUEUED", "2026-12-03T08:20:07", "2026-12-03T08:21:00", "requeued before its time limit"}};
    const model::JobRun back = model::job_run_from_json(model::job_run_json(run));
    CHECK(back.requeue);
    CHECK(back.retries == 3);
    REQUIRE(back.requeues.size() == 2);
    CHECK(back.requeues[1].attempt == 2);
    CHECK(back.requeues[1].state == "REQUEUED");
    CHECK(back.requeues[1].reason == "requeued before its time limit");
    CHECK(model::job_run_json(back) == model::job_run_json(run));
}

TEST_CASE("each run SLURM requeued lands in the record once, as the attempt it was") {
    Fixture f;
    test::FakeScheduler slurm;
    slurm.states["10"] = report(State::running);
    slurm.states["11"] = report(State::pending);
    slurm.states["12"] = report(State::pending);
    scheduler::JobState preempted;
    preempted.state = State::preempted;
    preempted.start = "2026-11-22T03:01:00";
    slurm.states["10"].requeues = {preempted};
    auto jobs = observe::refresh(f.run, slurm, f.runs);
    CHECK(jobs[0].title() == "A (attempt 2)");
    jobs = observe::refresh(f.run, slurm, f.runs);  // asked again: not recorded twice
    const auto saved = f.runs.load(f.run.path).record;
    REQUIRE(saved.find("A")->requeues.size() == 1);
    CHECK(saved.find("A")->requeues[0].attempt == 1);
    CHECK(saved.find("A")->requeues[0].state == "PREEMPTED");
    CHECK(saved.find("A")->requeues[0].job_id == "10");
}
