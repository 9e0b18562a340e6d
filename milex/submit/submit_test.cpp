#include <doctest/doctest.h>

#include <map>

#include "milex/submit/submit.hpp"
#include "milex/util/error.hpp"
#include "unit/fakes.hpp"
#include "unit/support.hpp"

using namespace milex;
namespace test = milex::test;

namespace {

/// Keeps written files in memory; runs nothing.
class FakeTransport : public transport::Transport {
public:
    std::map<std::string, std::string> files;
    bool refuse_directories = false;
    util::ProcessResult run(const std::vector<std::string>&, std::chrono::milliseconds) override {
        throw Error("the fake transport runs nothing");
    }
    void write_file(const std::string& path, std::string_view content, transport::FileMode) override {
        files[path] = std::string(content);
    }
    void copy_file(const std::string& local_path, const std::string& path) override {
        files[path] = test::read_file(local_path);
    }
    void make_directories(const std::string& path) override {
        if (refuse_directories) throw Error("cannot create directory " + path + ": Permission denied");
    }
    std::string where() const override { return "the fake"; }
};

using test::FakeScheduler;

struct Fixture {
    model::Config config;
    store::BundleStore bundles;
    Fixture() : config(make_config()), bundles(test::temp_dir() / "milex" / "jobs") {
        std::filesystem::create_directories(test::temp_dir() / "milex" / "jobs");
    }
    static model::Config make_config() {
        auto doc = util::parse_json_document(
            nlohmann::ordered_json{{"local", {{"path", (test::temp_dir() / "milex").string()}}}}.dump(), "config");
        return model::config_from_document(std::move(*doc));
    }
    void write_bundle(const std::string& text) { test::write_file(test::temp_dir() / "milex/jobs/d_20261122000000.json", text); }
    submit::RunSession session() { return submit::RunSession(config, config.local(), submit::plan_bundle(bundles, "d")); }
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
    Fixture f;
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
    Fixture f;
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
    Fixture f;
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
    Fixture f;
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
    Fixture f;
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
    Fixture f;
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
