#include <doctest/doctest.h>

#include <map>

#include "milex/submit/submit.hpp"
#include "milex/util/error.hpp"
#include "unit/fakes.hpp"
#include "unit/support.hpp"

using namespace milex;
namespace test = milex::test;

namespace {

using test::FakeScheduler;
using test::FakeTransport;

struct SubmitFixture {
    model::Config config;
    store::BundleStore bundles;
    SubmitFixture() : config(make_config()), bundles(test::temp_dir() / "milex" / "jobs") {
        std::filesystem::create_directories(test::temp_dir() / "milex" / "jobs");
    }
    static model::Config make_config() {
        auto doc = util::parse_json_document(
            nlohmann::ordered_json{{"local", {{"path", (test::temp_dir() / "milex").string()}}},
                                   {"far", {{"hostname", "cluster"}, {"path", "/remote/milex"}}}}
                .dump(),
            "config");
        return model::config_from_document(std::move(*doc));
    }
    void write_bundle(const std::string& text) { test::write_file(test::temp_dir() / "milex/jobs/d_20261122000000.json", text); }
    submit::RunSession session() { return submit::RunSession(config, config.local(), submit::plan_bundle(bundles, "d")); }
    /// On a machine reached over SSH: its jobs go in one go (Scheduler::submit_bundle).
    submit::RunSession remote_session() {
        return submit::RunSession(config, config.get("far"), submit::plan_bundle(bundles, "d"));
    }
};

const char* k_diamond = R"({
  "A": {"script": "app", "script_args": {"x": 1}},
  "B": {"script": "app", "dependencies": ["A"]},
  "C": {"script": "app", "dependencies": ["A"]},
  "D": {"script": "app", "dependencies": ["B", "C"]}
})";

std::vector<std::string> names(const model::RunRecord& record) {
    std::vector<std::string> out;
    for (const auto& job : record.jobs) out.push_back(job.name + "=" + job.job_id);
    return out;
}

} // namespace

TEST_CASE("a diamond is submitted in order with afterok on the real ids, recorded after each job") {
    SubmitFixture f;
    f.write_bundle(k_diamond);
    FakeTransport transport;
    FakeScheduler scheduler;
    auto session = f.session();
    CHECK(session.previous() == submit::Previous::none);
    size_t reported = 0;
    submit::Progress progress;
    progress.submitted = [&](const model::JobRun&, size_t done, size_t total) {
        CHECK(total == 4);
        CHECK(done == ++reported);
    };
    auto run = session.submit(transport, scheduler, submit::Again::no, progress);
    CHECK(names(run.record) == std::vector<std::string>{"A=100", "B=101", "C=102", "D=103"});
    REQUIRE(scheduler.requests.size() == 4);
    CHECK(scheduler.requests[3].after_ok == std::vector<std::string>{"101", "102"});
    CHECK(run.path.filename() == "d_20261122000000@local.1.json");
    const std::string script = (test::temp_dir() / "milex/slurm/d_20261122000000_A.sh").string();
    CHECK(transport.files.count(script) == 1);
    CHECK(run.record.jobs[0].script == script);
    // The record on disk is the one returned.
    auto on_disk = model::run_from_json(nlohmann::ordered_json::parse(test::read_file(run.path)), "record");
    CHECK(names(on_disk) == names(run.record));
    CHECK(on_disk.complete());
}

TEST_CASE("a run that stopped half-way resumes without submitting anything twice") {
    SubmitFixture f;
    f.write_bundle(k_diamond);
    FakeTransport transport;
    FakeScheduler failing;
    failing.fail_at = 2;
    {
        auto session = f.session();
        CHECK_THROWS_WITH(session.submit(transport, failing, submit::Again::no, {}), "sbatch refused job \"C\"");
    }
    auto session = f.session();
    CHECK(session.previous() == submit::Previous::partial);
    CHECK(names(session.last()->record) == std::vector<std::string>{"A=100", "B=101"});

    FakeScheduler scheduler;
    scheduler.next_id = 200;
    std::vector<std::string> kept;
    submit::Progress progress;
    progress.kept = [&](const model::JobRun& job) { kept.push_back(job.name); };
    auto run = session.submit(transport, scheduler, submit::Again::no, progress);
    CHECK(kept == std::vector<std::string>{"A", "B"});
    REQUIRE(scheduler.requests.size() == 2);
    CHECK(scheduler.requests[0].job_name == "C");
    CHECK(scheduler.requests[0].after_ok == std::vector<std::string>{"100"});
    CHECK(scheduler.requests[1].after_ok == std::vector<std::string>{"101", "200"});
    CHECK(names(run.record) == std::vector<std::string>{"A=100", "B=101", "C=200", "D=201"});
    CHECK(run.record.submission == 1);
}

TEST_CASE("a complete run is reported, and --again makes a second one with its own scripts") {
    SubmitFixture f;
    f.write_bundle(k_diamond);
    FakeTransport transport;
    FakeScheduler scheduler;
    f.session().submit(transport, scheduler, submit::Again::no, {});
    auto session = f.session();
    CHECK(session.previous() == submit::Previous::complete);
    auto again = session.submit(transport, scheduler, submit::Again::yes, {});
    CHECK(again.record.submission == 2);
    CHECK(again.path.filename() == "d_20261122000000@local.2.json");
    CHECK(again.record.jobs[0].script == (test::temp_dir() / "milex/slurm/d_20261122000000_A.run2.sh").string());
    CHECK(scheduler.requests.size() == 8);
}

TEST_CASE("resuming refuses when a submitted job was edited since") {
    SubmitFixture f;
    f.write_bundle(k_diamond);
    FakeTransport transport;
    FakeScheduler failing;
    failing.fail_at = 1;
    CHECK_THROWS(f.session().submit(transport, failing, submit::Again::no, {}));
    std::string edited = k_diamond;
    edited.replace(edited.find("\"x\": 1"), 6, "\"x\": 2");
    f.write_bundle(edited);
    FakeScheduler scheduler;
    CHECK_THROWS_WITH(f.session().submit(transport, scheduler, submit::Again::no, {}),
                      ("job \"A\" was changed in " + (test::temp_dir() / "milex/jobs/d_20261122000000.json").string() +
                       " after it was submitted as 100 (run 1); submit the bundle anew with --again")
                          .c_str());
    CHECK(scheduler.requests.empty());
}

TEST_CASE("an unwritable machine path stops the run before anything is submitted or recorded") {
    SubmitFixture f;
    f.write_bundle(k_diamond);
    FakeTransport transport;
    transport.refuse_directories = true;
    FakeScheduler scheduler;
    CHECK_THROWS_WITH(f.session().submit(transport, scheduler, submit::Again::no, {}),
                      ("machine \"local\": cannot create directory " + (test::temp_dir() / "milex").string() +
                       "/slurm: Permission denied; fix its \"path\" with milex-configuration")
                          .c_str());
    CHECK(scheduler.requests.empty());
    for (const auto& entry : std::filesystem::directory_iterator(test::temp_dir() / "milex" / "runs"))
        CHECK(entry.path().extension() != ".json");
}

TEST_CASE("a dry run shows each script and command and writes nothing") {
    SubmitFixture f;
    f.write_bundle(k_diamond);
    FakeScheduler scheduler;
    std::string out;
    submit::dry_run(f.config, f.config.local(), submit::plan_bundle(f.bundles, "d"), scheduler,
                    [&](std::string_view text) { out += text; });
    CHECK(out.find("# ---- job D: ") != std::string::npos);
    CHECK(out.find("#SBATCH --job-name=D") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(test::temp_dir() / "milex" / "runs"));
    CHECK_FALSE(std::filesystem::exists(test::temp_dir() / "milex" / "slurm"));
}

TEST_CASE("resubmit runs the chosen job and its dependents again, wired to the real ids of the rest") {
    SubmitFixture f;
    f.write_bundle(k_diamond);
    FakeTransport transport;
    FakeScheduler scheduler;
    auto run = f.session().submit(transport, scheduler, submit::Again::no, {});  // A=100 B=101 C=102 D=103
    std::map<std::string, scheduler::State> states = {{"A", scheduler::State::completed},
                                                      {"B", scheduler::State::failed},
                                                      {"C", scheduler::State::completed},
                                                      {"D", scheduler::State::never_ran}};
    store::RunStore runs(test::temp_dir() / "milex" / "runs");
    scheduler.next_id = 200;
    auto names = submit::resubmit(f.config.local(), submit::plan_bundle(f.bundles, "d"), run, runs, states, {"B"}, {},
                                  transport, scheduler, {});
    CHECK(names == std::vector<std::string>{"B", "D"});
    CHECK(scheduler.cancelled == std::vector<std::string>{"103"});  // D was held behind the failed B
    REQUIRE(scheduler.requests.size() == 6);
    CHECK(scheduler.requests[4].after_ok == std::vector<std::string>{"100"});
    CHECK(scheduler.requests[5].after_ok == std::vector<std::string>{"200", "102"});  // the new B, the old C
    CHECK(scheduler.requests[4].script_path.ends_with("d_20261122000000_B.attempt2.sh"));
    const auto saved = runs.load(run.path).record;
    CHECK(saved.find("B")->job_id == "200");
    CHECK(saved.find("B")->attempt == 2);
    CHECK(saved.find("D")->attempt == 2);
    CHECK(saved.jobs.size() == 6);
}

TEST_CASE("resubmit refuses to leave a job waiting for one that failed and is not chosen") {
    SubmitFixture f;
    f.write_bundle(k_diamond);
    FakeTransport transport;
    FakeScheduler scheduler;
    auto run = f.session().submit(transport, scheduler, submit::Again::no, {});
    std::map<std::string, scheduler::State> states = {{"A", scheduler::State::failed},
                                                      {"B", scheduler::State::never_ran},
                                                      {"C", scheduler::State::never_ran},
                                                      {"D", scheduler::State::never_ran}};
    store::RunStore runs(test::temp_dir() / "milex" / "runs");
    CHECK_THROWS_WITH(submit::resubmit(f.config.local(), submit::plan_bundle(f.bundles, "d"), run, runs, states, {"C"}, {},
                                       transport, scheduler, {}),
                      "job \"C\" would wait for \"A\", which is FAILED; resubmit that one too (--job A or --failed)");
    CHECK(scheduler.requests.size() == 4);
}

TEST_CASE("a submission accepted although sbatch failed is adopted, not submitted twice") {
    SubmitFixture f;
    f.write_bundle(k_diamond);
    FakeTransport transport;
    FakeScheduler scheduler;
    scheduler.fail_at = 1;
    scheduler.accept_then_fail = true;
    auto run = f.session().submit(transport, scheduler, submit::Again::no, {});
    CHECK(names(run.record) == std::vector<std::string>{"A=100", "B=101", "C=102", "D=103"});
    CHECK(scheduler.requests.size() == 4);  // B once, adopted
    CHECK(run.record.jobs[1].tag == "milex:" + run.record.token + ":B:1");
    CHECK(run.record.jobs[1].states.back().reason.starts_with("found in the queue by its tag after: sbatch: error:"));
    CHECK(scheduler.requests[3].after_ok == std::vector<std::string>{"101", "102"});
}

TEST_CASE("a submission under way when milex died is adopted on the next run, or submitted once") {
    SubmitFixture f;
    f.write_bundle(k_diamond);
    FakeTransport transport;
    FakeScheduler scheduler;
    auto run = f.session().submit(transport, scheduler, submit::Again::no, {});
    // As if milex had been killed after recording the intent for C and D: C reached the
    // queue (its tag is known there), D did not.
    auto record = run.record;
    record.jobs[2].job_id.clear();
    record.jobs[2].states.resize(1);
    record.jobs[3].job_id.clear();
    record.jobs[3].states.resize(1);
    store::RunStore runs(test::temp_dir() / "milex" / "runs");
    runs.save(run.path, record);
    FakeScheduler next;
    next.next_id = 300;
    next.accepted_by_tag[record.jobs[2].tag] = "102";
    std::vector<size_t> told;  // kept, adopted, total: the adopted job counts as submitted before
    submit::Progress progress;
    progress.resuming = [&](const model::RunRecord&, size_t kept, size_t adopted, size_t total) {
        told = {kept, adopted, total};
    };
    auto resumed = f.session().submit(transport, next, submit::Again::no, progress);
    CHECK(told == std::vector<size_t>{3, 1, 4});
    CHECK(names(resumed.record) == std::vector<std::string>{"A=100", "B=101", "C=102", "D=300"});
    REQUIRE(next.requests.size() == 1);
    CHECK(next.requests[0].job_name == "D");
    CHECK(next.requests[0].after_ok == std::vector<std::string>{"101", "102"});
}

TEST_CASE("a sweep beyond the site's MaxArraySize goes as several arrays, its dependents after all of them") {
    SubmitFixture f;
    nlohmann::ordered_json bundle = nlohmann::ordered_json::parse(R"({
      "sweep": {"script": "app", "script_args": {"lr": "0"}, "script_options": {"lr": "--lr"},
                "sweep": {"keys": ["lr"], "combinations": [], "limit": 2}},
      "after": {"script": "app", "dependencies": ["sweep"]}})");
    for (int i = 0; i < 25; ++i) bundle["sweep"]["sweep"]["combinations"].push_back({std::to_string(i)});
    f.write_bundle(bundle.dump());
    FakeTransport transport;
    FakeScheduler scheduler;
    scheduler.array_limit = 11;
    auto run = f.session().submit(transport, scheduler, submit::Again::no, {});
    REQUIRE(scheduler.requests.size() == 4);
    CHECK(scheduler.requests[0].array == "0-10%2");
    CHECK(scheduler.requests[0].task_offset == 0);
    CHECK(scheduler.requests[1].array == "0-10%2");
    CHECK(scheduler.requests[1].task_offset == 11);
    CHECK(scheduler.requests[2].array == "0-2%2");
    CHECK(scheduler.requests[2].task_offset == 22);
    CHECK(scheduler.requests[3].after_ok == std::vector<std::string>{"100", "101", "102"});
    const auto& sweep = run.record.jobs[0];
    CHECK(sweep.job_id == "100");
    CHECK(sweep.ids() == std::vector<std::string>{"100", "101", "102"});
    CHECK(sweep.array == "0-24%2");
    CHECK(sweep.parts[1].tag == sweep.tag + ":p1");
    // The site's limit was asked once and kept.
    CHECK(store::RunStore(test::temp_dir() / "milex" / "runs").machine_cache("local", "max_array_size") == 11);
}

TEST_CASE("the site's MaxSubmitJobs caps the queue, asked once and kept for later runs") {
    SubmitFixture f;
    f.write_bundle(k_diamond);
    FakeTransport transport;
    FakeScheduler scheduler;
    scheduler.limit = 2;
    {
        auto session = f.session();
        auto run = session.submit(transport, scheduler, submit::Again::no, {});
        CHECK(names(run.record) == std::vector<std::string>{"A=100", "B=101"});
        CHECK(session.waiting() == 2);
    }
    auto run = f.session().submit(transport, scheduler, submit::Again::no, {});
    CHECK(names(run.record) == std::vector<std::string>{"A=100", "B=101", "C=102", "D=103"});
    CHECK(scheduler.limit_asked == 1);
    CHECK(store::RunStore(test::temp_dir() / "milex" / "runs").machine_cache("local", "max_submit_jobs")->at("value") == 2);
}

TEST_CASE("a sweep that does not fit in the controller (MaxJobCount) waits like the queue cap, then goes") {
    SubmitFixture f;
    nlohmann::ordered_json bundle = nlohmann::ordered_json::parse(R"({
      "first": {"script": "app"},
      "sweep": {"script": "app", "script_args": {"lr": "0"}, "script_options": {"lr": "--lr"},
                "sweep": {"keys": ["lr"], "combinations": []}, "dependencies": ["first"]}})");
    for (int i = 0; i < 25; ++i) bundle["sweep"]["sweep"]["combinations"].push_back({std::to_string(i)});
    f.write_bundle(bundle.dump());
    FakeTransport transport;
    FakeScheduler scheduler;
    scheduler.job_count = 30;  // SLURM takes a job while the jobs held stay below 30
    scheduler.held = 4;        // other users': 1 + 25 more would reach 30
    {
        auto session = f.session();
        auto run = session.submit(transport, scheduler, submit::Again::no, {});
        CHECK(names(run.record) == std::vector<std::string>{"first=100"});
        CHECK(session.waiting() == 1);
        CHECK(session.waits_for() == "the controller of \"local\" holds at most 30 jobs of all users: MaxJobCount");
    }
    scheduler.held = 3;  // one ended job forgotten: 3 + 1 (first) + 25 stays below 30
    {
        auto session = f.session();
        auto run = session.submit(transport, scheduler, submit::Again::no, {});
        CHECK(names(run.record) == std::vector<std::string>{"first=100", "sweep=101"});
        CHECK(session.waiting() == 0);
    }
    CHECK(scheduler.job_count_asked == 1);  // kept in the machine's cache
    CHECK(store::RunStore(test::temp_dir() / "milex" / "runs").machine_cache("local", "max_job_count") == 30);

    // More tasks than the controller ever takes: an error, not a wait without end.
    scheduler.job_count = 20;
    store::RunStore(test::temp_dir() / "milex" / "runs").set_machine_cache("local", "max_job_count", 20);
    const size_t before = scheduler.requests.size();
    CHECK_THROWS_WITH(f.session().submit(transport, scheduler, submit::Again::yes, {}),
                      "job \"sweep\" has 25 tasks, more than the 19 jobs the controller of machine \"local\" takes for "
                      "all its users (MaxJobCount 20); split the sweep into smaller ones");
    CHECK(scheduler.requests.size() == before + 1);  // "first" went; the sweep did not
}

TEST_CASE("a plain array beyond MaxArraySize is refused before anything is submitted") {
    SubmitFixture f;
    f.write_bundle(R"({"big": {"script": "app", "slurm": {"array": "0-20"}}})");
    FakeTransport transport;
    FakeScheduler scheduler;
    scheduler.array_limit = 11;
    CHECK_THROWS_WITH(f.session().submit(transport, scheduler, submit::Again::no, {}),
                      "job \"big\": array 0-20 goes beyond index 10, the largest machine \"local\" accepts "
                      "(MaxArraySize 11); make it a --sweep, which milex splits, or use smaller indices");
    CHECK(scheduler.requests.empty());
}

TEST_CASE("only the failed tasks of an array run again") {
    SubmitFixture f;
    f.write_bundle(R"({"arr": {"script": "app", "slurm": {"array": "0-5%2"}}})");
    FakeTransport transport;
    FakeScheduler scheduler;
    auto run = f.session().submit(transport, scheduler, submit::Again::no, {});
    store::RunStore runs(test::temp_dir() / "milex" / "runs");
    submit::resubmit(f.config.local(), submit::plan_bundle(f.bundles, "d"), run, runs,
                     {{"arr", scheduler::State::failed}}, {"arr"}, {{"arr", {1, 4, 5}}}, transport, scheduler, {});
    REQUIRE(scheduler.requests.size() == 2);
    CHECK(scheduler.requests[1].array == "1,4-5%2");
    CHECK(scheduler.cancelled.empty());
    CHECK(runs.load(run.path).record.find("arr")->array == "1,4-5%2");
}

TEST_CASE("over SSH a bundle goes in one go, each job wired to the ids just made; here job by job") {
    SubmitFixture f;
    f.write_bundle(k_diamond);
    FakeTransport transport;
    FakeScheduler scheduler;
    auto run = f.remote_session().submit(transport, scheduler, submit::Again::no, {});
    CHECK(scheduler.bundles == std::vector<size_t>{4});
    CHECK(names(run.record) == std::vector<std::string>{"A=100", "B=101", "C=102", "D=103"});
    CHECK(scheduler.requests[3].after_ok == std::vector<std::string>{"101", "102"});
    CHECK(run.record.jobs[3].after == std::vector<std::string>{"101", "102"});
    CHECK(run.record.complete());
    FakeScheduler here;
    f.session().submit(transport, here, submit::Again::no, {});
    CHECK(here.bundles.empty());
    CHECK(here.requests.size() == 4);
}

TEST_CASE("in one go, a refusal keeps the jobs before it; one the scheduler took after all is adopted") {
    SubmitFixture f;
    f.write_bundle(k_diamond);
    FakeTransport transport;
    {
        FakeScheduler scheduler;
        scheduler.fail_at = 2;
        auto session = f.remote_session();
        CHECK_THROWS_WITH(session.submit(transport, scheduler, submit::Again::no, {}), "sbatch refused job \"C\"");
        CHECK(names(session.last()->record) == std::vector<std::string>{"A=100", "B=101"});
    }
    f.write_bundle(k_diamond);
    FakeScheduler scheduler;
    scheduler.fail_at = 1;
    scheduler.accept_then_fail = true;
    auto run = f.remote_session().submit(transport, scheduler, submit::Again::yes, {});
    CHECK(names(run.record) == std::vector<std::string>{"A=100", "B=101", "C=102", "D=103"});
    CHECK(scheduler.bundles == std::vector<size_t>{4, 2});  // the rest after the adopted B
    CHECK(run.record.jobs[1].states.back().reason.starts_with("found in the queue by its tag after: sbatch: error:"));
}

TEST_CASE("in one go, a dropped connection keeps every intent; the resume waits for the lock, adopts, submits the rest") {
    SubmitFixture f;
    f.write_bundle(k_diamond);
    FakeTransport transport;
    FakeScheduler scheduler;
    scheduler.fail_at = 2;
    scheduler.lose_connection = true;
    model::RunRecord record;
    {
        auto session = f.remote_session();  // its lock on the run store goes with it
        CHECK_THROWS_AS(session.submit(transport, scheduler, submit::Again::no, {}), transport::ConnectionLost);
        record = session.last()->record;
    }
    CHECK(names(record) == std::vector<std::string>{"A=100", "B=101", "C=", "D="});
    // As if C had reached the queue before the connection went.
    FakeScheduler next;
    next.next_id = 300;
    next.accepted_by_tag[record.jobs[2].tag] = "102";
    auto resumed = f.remote_session().submit(transport, next, submit::Again::no, {});
    CHECK(next.waited == std::vector<std::string>{"/remote/milex/slurm/d_20261122000000.run1.lock"});
    CHECK(names(resumed.record) == std::vector<std::string>{"A=100", "B=101", "C=102", "D=300"});
    REQUIRE(next.requests.size() == 1);
    CHECK(next.requests[0].after_ok == std::vector<std::string>{"101", "102"});
}

TEST_CASE("in one go under a queue cap: what fits goes at once, the rest on the next run") {
    SubmitFixture f;
    f.write_bundle(k_diamond);
    FakeTransport transport;
    FakeScheduler scheduler;
    scheduler.limit = 3;
    {
        auto session = f.remote_session();
        auto run = session.submit(transport, scheduler, submit::Again::no, {});
        CHECK(names(run.record) == std::vector<std::string>{"A=100", "B=101", "C=102"});
        CHECK(session.waiting() == 1);
    }
    auto run = f.remote_session().submit(transport, scheduler, submit::Again::no, {});
    CHECK(names(run.record) == std::vector<std::string>{"A=100", "B=101", "C=102", "D=103"});
    CHECK(scheduler.bundles == std::vector<size_t>{3, 1});
}

TEST_CASE("a job's code snapshot is in its record entry, and in that of a resubmitted attempt") {
    SubmitFixture f;
    const std::string commit(40, 'c');
    f.write_bundle(R"({"A": {"script": "app"},
                       "B": {"script": "app", "dependencies": ["A"], "code": ".", "snapshot": {"commit": ")" +
                   commit + R"(", "dirty": false}}})");
    FakeTransport transport;
    FakeScheduler scheduler;
    submit::SnapshotPlan snapshots;
    const nlohmann::ordered_json details = {{"id", commit}, {"commit", commit}, {"branch", "main"}, {"dirty", false}};
    snapshots.snapshots.push_back({commit, "/here/code/" + commit + ".tar", "/there/code/" + commit, false, details});
    auto run = f.session().submit(transport, scheduler, submit::Again::no, {}, {}, snapshots);
    CHECK(run.record.find("A")->snapshot.is_null());
    CHECK(run.record.find("B")->snapshot == details);
    store::RunStore runs(test::temp_dir() / "milex" / "runs");
    CHECK(runs.load(run.path).record.find("B")->snapshot == details);
    submit::resubmit(f.config.local(), submit::plan_bundle(f.bundles, "d"), run, runs,
                     {{"A", scheduler::State::completed}, {"B", scheduler::State::failed}}, {"B"}, {}, transport,
                     scheduler, {});
    const auto saved = runs.load(run.path).record;
    CHECK(saved.find("B")->attempt == 2);
    CHECK(saved.find("B")->snapshot == details);
}
