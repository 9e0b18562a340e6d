#include <doctest/doctest.h>

#include "milex/observe/logs.hpp"
#include "milex/util/error.hpp"
#include "unit/support.hpp"

using namespace milex;

namespace {

model::Machine machine() {
    model::Machine m;
    m.name = "local";
    m.path = "/m";
    return m;
}

model::JobRun attempt(const std::string& id, int number, const std::string& array) {
    model::JobRun run;
    run.name = "S";
    run.job_id = id;
    run.attempt = number;
    run.array = array;
    return run;
}

model::RunRecord record(std::vector<model::JobRun> jobs) {
    model::RunRecord r;
    r.bundle = "b_20261122000000";
    r.machine = "local";
    r.jobs = std::move(jobs);
    return r;
}

} // namespace

TEST_CASE("each task's log is the one of the latest attempt that ran it") {
    model::Job job;
    job.name = "S";
    job.script = "app";
    job.slurm = {{"array", "0-3"}};
    const auto r = record({attempt("20", 1, "0-3"), attempt("30", 2, "1,3")});
    CHECK(observe::job_log_files(job, machine(), r, false, std::nullopt).paths ==
          std::vector<std::string>{"/m/slurm/S-20_0.out", "/m/slurm/S-30_1.out", "/m/slurm/S-20_2.out",
                                   "/m/slurm/S-30_3.out"});
    CHECK(observe::job_log_files(job, machine(), r, false, "2").paths == std::vector<std::string>{"/m/slurm/S-20_2.out"});
    CHECK(observe::job_log_files(job, machine(), r, false, "3").paths == std::vector<std::string>{"/m/slurm/S-30_3.out"});
    CHECK_THROWS_WITH_AS(observe::job_log_files(job, machine(), r, false, "99"),
                         "job \"S\" has no task 99; its tasks are 0-3", Error);
}

TEST_CASE("--task on a job that is not an array says so") {
    model::Job job;
    job.name = "S";
    job.script = "app";
    const auto r = record({attempt("20", 1, "")});
    CHECK(observe::job_log_files(job, machine(), r, false, std::nullopt).paths ==
          std::vector<std::string>{"/m/slurm/S-20.out"});
    CHECK_THROWS_WITH_AS(observe::job_log_files(job, machine(), r, false, "99"),
                         "job \"S\" is not an array job, so it has no task 99; leave out --task", Error);
}

TEST_CASE("stderr is a file of its own only when the job says --error; otherwise the output holds it") {
    model::Job job;
    job.name = "E";
    job.script = "app";
    model::JobRun run = attempt("7", 1, "");
    auto together = observe::log_files(job, machine(), run, true, std::nullopt);
    CHECK_FALSE(together.separate_stderr);
    CHECK(together.paths == std::vector<std::string>{"/m/slurm/E-7.out"});
    CHECK(together.note == "the job has no --error of its own: its stderr is in its output, shown here");
    job.slurm = {{"error", "/m/slurm/%x-%j.err"}};
    auto apart = observe::log_files(job, machine(), run, true, std::nullopt);
    CHECK(apart.separate_stderr);
    CHECK(apart.paths == std::vector<std::string>{"/m/slurm/E-7.err"});
    CHECK_FALSE(apart.note);
    CHECK(observe::log_files(job, machine(), run, false, std::nullopt).separate_stderr);
}
