#include <doctest/doctest.h>

#include "milex/store/run_store.hpp"
#include "unit/support.hpp"

using namespace milex;
namespace test = milex::test;

namespace {
model::JobRun job(const std::string& name, const std::string& id) {
    model::JobRun j;
    j.name = name;
    j.job_id = id;
    j.states.push_back({"SUBMITTED", "2026-11-22T03:00:00Z", "", "", "", ""});
    return j;
}
} // namespace

TEST_CASE("the journal notes each job in O(1), load applies it, save folds it in") {
    store::RunStore runs(test::temp_dir());
    store::StoredRun run;
    run.path = test::temp_dir() / "b_20261122000000@local.1.json";
    run.record.bundle = "b_20261122000000";
    run.record.machine = "local";
    runs.save(run.path, run.record);

    run.record.jobs.push_back(job("A", "10"));
    runs.record_job(run, 0);
    run.record.jobs.push_back(job("B", ""));
    runs.record_job(run, 1);
    run.record.jobs[1].job_id = "11";
    runs.record_job(run, 1);
    run.record.jobs.push_back(job("C", ""));
    runs.record_job(run, 2);
    runs.record_truncation(run, 2);  // C's intent withdrawn
    // A crash in the middle of a line leaves half of it: it is ignored.
    std::string journal = test::read_file(store::RunStore::journal_of(run.path));
    test::write_file(store::RunStore::journal_of(run.path), journal + "{\"index\": 2, \"job\": {\"na");

    auto loaded = runs.load(run.path);
    REQUIRE(loaded.record.jobs.size() == 2);
    CHECK(loaded.record.jobs[0].job_id == "10");
    CHECK(loaded.record.jobs[1].job_id == "11");
    CHECK(test::read_file(run.path).find("\"11\"") == std::string::npos);  // only in the journal so far

    runs.save(loaded.path, loaded.record);
    CHECK_FALSE(std::filesystem::exists(store::RunStore::journal_of(run.path)));
    CHECK(runs.load(run.path).record.jobs[1].job_id == "11");
}
