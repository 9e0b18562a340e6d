#include <doctest/doctest.h>

#include "milex/store/run_store.hpp"
#include "milex/version.hpp"
#include "unit/support.hpp"

using namespace milex;
namespace test = milex::test;

namespace {
model::JobRun recorded_job(const std::string& name, const std::string& id) {
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

    run.record.jobs.push_back(recorded_job("A", "10"));
    runs.record_job(run, 0);
    run.record.jobs.push_back(recorded_job("B", ""));
    runs.record_job(run, 1);
    run.record.jobs[1].job_id = "11";
    runs.record_job(run, 1);
    run.record.jobs.push_back(recorded_job("C", ""));
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

namespace {
const std::string k_record = R"({"bundle": "b_20261122000000", "machine": "local", "submission": 1, "format": 1,
    "jobs": [{"name": "A", "job_id": "10"}]})";
const std::string k_entry = R"({"index": 1, "job": {"name": "B", "job_id": "11"}})";
} // namespace

TEST_CASE("a journal's torn last line is left out; garbage in it names the journal and the line") {
    auto record = store::parse_run_record(k_record, k_entry + "\n" + k_entry.substr(0, 20), "runs/b@local.1.json");
    REQUIRE(record.jobs.size() == 2);
    CHECK(record.jobs[1].job_id == "11");

    REQUIRE_THROWS_WITH(store::parse_run_record(k_record, "garbage\n" + k_entry + "\n", "runs/b@local.1.json"),
                        "runs/b@local.1.json.journal:1: not a journal entry of milex (not JSON); move the journal aside and run `milex status` to see which jobs "
                        "the record lacks");
    // A line torn in the middle, then another entry: never silently half-applied.
    REQUIRE_THROWS_WITH(store::parse_run_record(k_record, k_entry.substr(0, 20) + "\n" + k_entry + "\n", "r.json"),
                        doctest::Contains("r.json.journal:1: not a journal entry of milex"));
    // Valid JSON that is not an entry: an entry for a job that does not exist yet, a truncate of text.
    REQUIRE_THROWS_WITH(store::parse_run_record(k_record, R"({"index": 5, "job": {"name": "B", "job_id": "11"}})" "\n", "r.json"),
                        "r.json.journal:1: not a journal entry of milex (it notes job 5 of a record that holds 1); move the journal "
                        "aside and run `milex status` to see which jobs the record lacks");
    REQUIRE_THROWS_WITH(store::parse_run_record(k_record, k_entry + "\n" R"({"truncate": "x"})" "\n", "r.json"),
                        "r.json.journal:2: not a journal entry of milex (\"truncate\" must be a whole number); move the "
                        "journal aside and run `milex status` to see which jobs the record lacks");
    REQUIRE_THROWS_WITH(store::parse_run_record(k_record, "[1, 2]\n", "r.json"),
                        doctest::Contains("r.json.journal:1: not a journal entry of milex (not an object)"));
}

TEST_CASE("a run record that is not JSON, not a record, or from a newer milex is refused with its file and line") {
    REQUIRE_THROWS_WITH(store::parse_run_record("{\n  \"bundle\": \"b\",\n  oops\n}", std::nullopt, "runs/b@local.1.json"),
                        "runs/b@local.1.json:3: not valid JSON; move the file aside (milex-run then starts the run anew)");
    const std::string newer = "r.json: written by milex 9.0.0 in record format 7, newer than this milex " + version() +
                              " reads (1); use that milex or a newer one for this run";
    REQUIRE_THROWS_WITH(store::parse_run_record(R"({"bundle": "b", "machine": "local", "jobs": 3, "format": 7,
                                                  "milex_version": "9.0.0"})",
                                                std::nullopt, "r.json"),
                        newer.c_str());
    REQUIRE_THROWS_WITH(store::parse_run_record(R"([1])", std::nullopt, "r.json"),
                        doctest::Contains("r.json: not a milex run record"));
}

TEST_CASE("a run record written today carries its format and reads back") {
    model::RunRecord record;
    record.bundle = "b";
    record.machine = "local";
    record.jobs.push_back(recorded_job("A", "10"));
    const std::string text = record.to_json().dump();
    CHECK(text.find(R"("format":1)") != std::string::npos);
    CHECK(store::parse_run_record(text, std::nullopt, "r.json").jobs.at(0).job_id == "10");
}

TEST_CASE("counts in a record or its journal that are not whole numbers in range are refused, never converted") {
    // Found with fuzz_run_record (an input with a float where a count belongs): nlohmann's
    // get<int>() of 1e300 is undefined behaviour ("outside the range of representable values").
    REQUIRE_THROWS_WITH(
        store::parse_run_record(R"({"bundle":"b","machine":"m","jobs":[{"name":"A","job_id":"1","attempt":1e300}]})",
                                std::nullopt, "r.json"),
        "r.json: not a milex run record (\"attempt\" must be a whole number from 0 to 2147483647); move it aside");
    REQUIRE_THROWS_WITH(store::parse_run_record(R"({"bundle":"b","machine":"m","submission":-1,"jobs":[]})", std::nullopt,
                                                "r.json"),
                        "r.json: not a milex run record (\"submission\" must be a whole number from 0 to 2147483647); "
                        "move it aside");
    REQUIRE_THROWS_WITH(store::parse_run_record(k_record, "{\"truncate\": -1e300}\n", "r.json"),
                        "r.json.journal:1: not a journal entry of milex (\"truncate\" must be a whole number); move the "
                        "journal aside and run `milex status` to see which jobs the record lacks");
    REQUIRE_THROWS_WITH(store::parse_run_record(k_record, "{\"index\": 0.5, \"job\": {\"name\": \"A\", \"job_id\": \"1\"}}\n", "r.json"),
                        doctest::Contains("r.json.journal:1: not a journal entry of milex (\"index\" must be a whole number)"));
}

TEST_CASE("a run record with a number too large for JSON is refused, not thrown through") {
    REQUIRE_THROWS_WITH(store::parse_run_record(R"({"bundle": "b", "machine": "m", "job_count": 1e99999, "jobs": []})",
                                                std::nullopt, "r.json"),
                        "r.json: not valid JSON (a number too large); move the file aside (milex-run then starts the run "
                        "anew)");
}
