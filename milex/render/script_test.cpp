#include <doctest/doctest.h>

#include "milex/render/script.hpp"
#include "milex/scheduler/request.hpp"
#include "milex/util/process.hpp"
#include "unit/support.hpp"

using namespace milex;
namespace test = milex::test;

namespace {

model::Machine machine() {
    model::Machine m;
    m.name = "narval";
    m.path = "/project/ada/milex";
    m.slurm_account = "def-ada";
    m.env_command = "source /project/ada/venv/bin/activate";
    m.partition = "gpu";
    m.modules = {"cuda/12.2"};
    m.sbatch = {{"qos", "normal"}, {"time", "00:10:00"}};
    return m;
}

model::Job example_job() {
    model::Job j;
    j.name = "train";
    j.script = "train";
    j.script_args = nlohmann::ordered_json::parse(
        R"({"message": "it's $(id) `x`; a\nb\tc é", "lr": 0.01, "shout": true, "quiet": false, "words": ["a b", "c"]})");
    j.dependencies = {"prepare"};
    j.pre_commands = {"cd $MILEX/data", "echo \"ready\""};
    j.slurm = {{"time", "02:00:00"}, {"gres", "gpu:1"}, {"cpus_per_task", "4"}};
    return j;
}

} // namespace

TEST_CASE("a job renders to the golden script") {
    const std::string script = render::render_script({example_job(), machine(), "sweep_20261122023840", "0.1.0"});
    CHECK(script == test::golden("train.sh", script));
}

TEST_CASE("a bare job on a bare machine renders to the golden script") {
    model::Machine m;
    m.name = "local";
    m.path = "/home/ada/milex";
    model::Job j;
    j.name = "A";
    j.script = "milex-example";
    j.slurm = {{"array", "0-3"}};
    const std::string script = render::render_script({j, m, "demo_20261122023840", "0.1.0"});
    CHECK(script == test::golden("bare.sh", script));
}

TEST_CASE("the job's own options win over the machine's, account and partition from the machine") {
    auto options = scheduler::job_request(example_job(), machine());
    CHECK(options == model::SlurmOptions{{"job_name", "train"},
                                         {"output", "/project/ada/milex/slurm/%x-%j.out"},
                                         {"account", "def-ada"},
                                         {"partition", "gpu"},
                                         {"qos", "normal"},
                                         {"time", "02:00:00"},
                                         {"gres", "gpu:1"},
                                         {"cpus_per_task", "4"}});
}

TEST_CASE("the rendered script is valid bash") {
    const std::string script = render::render_script({example_job(), machine(), "sweep_20261122023840", "0.1.0"});
    test::write_file(test::temp_dir() / "train.sh", script);
    auto result = util::run_process({"bash", "-n", (test::temp_dir() / "train.sh").string()});
    REQUIRE(result);
    CHECK_MESSAGE(result->succeeded(), result->err);
}

TEST_CASE("the application call survives bash exactly") {
    test::write_script(test::temp_dir(), "train", "for a in \"$@\"; do printf '<%s>' \"$a\"; done");
    auto result = util::run_process(
        {"bash", "-c", "PATH=" + test::temp_dir().string() + ":$PATH; " + render::application_call(example_job())});
    REQUIRE(result);
    CHECK(result->out == "<--message=it's $(id) `x`; a\nb\tc é><--lr=0.01><--shout><--words><a b><c>");
}

TEST_CASE("a job with spellings renders its call as typed") {
    model::Machine m;
    m.name = "local";
    m.path = "/home/ada/milex";
    model::Job j;
    j.name = "train";
    j.script = "milex-train";
    j.script_args = nlohmann::ordered_json::parse(
        R"({"data": "my data.csv", "learning_rate": 0.1, "n": 3, "layers": [128, 64], "cache": false, "seed": 0})");
    j.script_options = nlohmann::ordered_json::parse(
        R"({"data": 0, "learning_rate": "--learning-rate", "n": "-n", "layers": "--layers",
            "cache": {"flag": "--no-cache", "when": false}, "seed": null})");
    const std::string script = render::render_script({j, m, "demo_20261122023840", "0.1.0"});
    CHECK(script == test::golden("spelled.sh", script));
}

TEST_CASE("the batch script writes its exit-status file, also when stopped by SIGTERM") {
    model::Machine m;
    m.name = "local";
    m.path = test::temp_dir().string();
    std::filesystem::create_directories(test::temp_dir() / "slurm");
    test::write_script(test::temp_dir(), "app", "[ \"$1\" = --sleep=1 ] && sleep 10; exit ${EXIT_WITH:-0}");
    auto run = [&](const std::string& id, const std::string& exit_with, bool terminate) {
        model::Job j;
        j.name = "A";
        j.script = (test::temp_dir() / "app").string();
        if (terminate) j.script_args = {{"sleep", 1}};
        test::write_file(test::temp_dir() / "job.sh", render::render_script({j, m, "b_20261122023840", "0.1.0"}));
        std::string command = "SLURM_JOB_ID=" + id + " SLURM_JOB_NAME=A EXIT_WITH=" + exit_with + " bash " +
                              (test::temp_dir() / "job.sh").string();
        // As SLURM does at a time limit: SIGTERM to every process of the job.
        if (terminate) command = "SLURM_JOB_ID=" + id + " SLURM_JOB_NAME=A setsid bash " +
                                 (test::temp_dir() / "job.sh").string() +
                                 " & pid=$!; sleep 0.5; kill -TERM -- -$pid; wait $pid";
        util::run_process({"bash", "-c", command});
        return test::read_file(test::temp_dir() / "slurm" / ("A-" + id + ".status"));
    };
    std::string ok = run("7", "0", false);
    CHECK(ok.starts_with("start "));
    CHECK(ok.find(" exit 0\n") != std::string::npos);
    CHECK(run("8", "3", false).find(" exit 3\n") != std::string::npos);
    CHECK(run("9", "0", true).find(" exit 143 signal TERM\n") != std::string::npos);
}

namespace {

model::Machine sge_machine() {
    model::Machine m;
    m.name = "local-sge";
    m.path = "/home/ada/milex-sge";
    m.scheduler = model::SchedulerKind::sge;
    m.parallel_environment = "smp";
    m.partition = "all.q";
    m.env_command = "source /home/ada/venv/bin/activate";
    return m;
}

} // namespace

TEST_CASE("a job on a Grid Engine machine renders to the golden script: #$ lines, the same body") {
    model::Job j = example_job();
    j.slurm = {{"time", "02:00:00"}, {"gres", "gpu:1"}, {"cpus_per_task", "4"}, {"mem", "8G"}, {"array", "0-9%2"}};
    const std::string script = render::render_script({j, sge_machine(), "sweep_20261122023840", "0.1.0", nullptr, 2});
    CHECK(script == test::golden("train-sge.sh", script));
}

TEST_CASE("Grid Engine refuses, naming option and machine, what it cannot express") {
    model::Job j = example_job();
    j.slurm = {{"qos", "high"}};
    REQUIRE_THROWS_WITH(render::render_script({j, sge_machine(), "b_20261122023840", "0.1.0"}),
                        "job \"train\" on machine \"local-sge\": Grid Engine cannot express \"qos\"; remove it from the "
                        "job (or from the machine's \"sbatch\" defaults) or run the job on a SLURM machine");
    j.slurm = {{"gres", "gpu:a100:1"}};
    REQUIRE_THROWS_WITH(render::render_script({j, sge_machine(), "b_20261122023840", "0.1.0"}),
                        "job \"train\" on machine \"local-sge\": Grid Engine cannot express \"gres\" gpu:a100:1 (the gpu "
                        "complex counts GPUs; it has no types); remove it from the job (or from the machine's \"sbatch\" "
                        "defaults) or run the job on a SLURM machine");
    model::Machine no_pe = sge_machine();
    no_pe.parallel_environment.clear();
    j.slurm = {{"cpus_per_task", "4"}};
    REQUIRE_THROWS_WITH(render::render_script({j, no_pe, "b_20261122023840", "0.1.0"}),
                        "job \"train\" on machine \"local-sge\": 4 CPUs need a parallel environment; set "
                        "\"parallel_environment\" of machine \"local-sge\" (qconf -spl lists them)");
}

TEST_CASE("on Grid Engine a job whose dependency failed ends as never-run, without running") {
    model::Machine m = sge_machine();
    m.path = test::temp_dir().string();
    m.env_command.clear();
    std::filesystem::create_directories(test::temp_dir() / "slurm");
    test::write_script(test::temp_dir(), "app", "touch \"$MILEX/ran-$MILEX_JOB_ID-$MILEX_TASK_ID-$MILEX_ATTEMPT\"");
    model::Job j;
    j.name = "B";
    j.script = (test::temp_dir() / "app").string();
    test::write_file(test::temp_dir() / "job.sh", render::render_script({j, m, "b_20261122023840", "0.1.0", nullptr, 3}));
    auto run = [&](const std::string& id, const std::string& after, const std::string& task) {
        util::run_process({"bash", "-c", "JOB_ID=" + id + " JOB_NAME=B SGE_TASK_ID=" + task + " MILEX_AFTER=" + after +
                                             " bash " + (test::temp_dir() / "job.sh").string()});
    };
    test::write_file(test::temp_dir() / "slurm" / "A-5.status", "start 1\nend 2 exit 0\n");
    test::write_file(test::temp_dir() / "slurm" / "C-6_0.status", "start 1\nend 2 exit 0\n");
    test::write_file(test::temp_dir() / "slurm" / "C-6_1.status", "start 1\nend 2 exit 3\n");
    test::write_file(test::temp_dir() / "slurm" / "D-7.status", "start 1\n");  // killed: no end
    run("10", "5", "undefined");
    CHECK(std::filesystem::exists(test::temp_dir() / "ran-10-0-3"));
    CHECK(test::read_file(test::temp_dir() / "slurm" / "B-10.status").find(" exit 0\n") != std::string::npos);
    run("11", "5:6", "undefined");
    CHECK_FALSE(std::filesystem::exists(test::temp_dir() / "ran-11-0-3"));
    CHECK(test::read_file(test::temp_dir() / "slurm" / "B-11.status") == "never-ran 6\n");
    run("12", "7", "undefined");
    CHECK(test::read_file(test::temp_dir() / "slurm" / "B-12.status") == "never-ran 7\n");
    run("13", "99", "undefined");  // no trace at all: deleted before it ran
    CHECK(test::read_file(test::temp_dir() / "slurm" / "B-13.status") == "never-ran 99\n");
    run("14", "", "3");  // array task 3 of Grid Engine is milex's task 2
    CHECK(std::filesystem::exists(test::temp_dir() / "ran-14-2-3"));
    CHECK(std::filesystem::exists(test::temp_dir() / "slurm" / "B-14_2.status"));
}

TEST_CASE("a job with a code snapshot runs from it: working directory, PYTHONPATH, the executable's folder on PATH") {
    model::Job job = example_job();
    job.code = "src";
    job.snapshot = model::Snapshot{std::string(40, 'a'), false, "", "bin"};
    const std::string script = render::render_script({job, machine(), "sweep_20261122023840", "0.1.0"});
    const std::string id(40, 'a');
    CHECK(script.find("\n# Code snapshot: commit " + id + ", shipped by milex-run to $MILEX/code/" + id +
                      "\nexport MILEX_CODE=\"$MILEX\"/'code/" + id +
                      "'\ncd \"$MILEX_CODE\"/'src' || { echo \"milex: code snapshot $MILEX_CODE is missing on "
                      "$(hostname)\" >&2; exit 1; }\nexport PYTHONPATH=\"$PWD${PYTHONPATH:+:$PYTHONPATH}\"\n[ ! -d src "
                      "] || PYTHONPATH=\"$PWD/src:$PYTHONPATH\"\nexport PATH=\"$MILEX_CODE\"/'bin':\"$PATH\"\n\n# "
                      "Pre-commands\n") != std::string::npos);
    // After the machine's environment (which may put a venv first on PATH), before the pre-commands.
    CHECK(script.find("source /project/ada/venv/bin/activate") < script.find("# Code snapshot"));
    job.snapshot->dirty = true;
    job.snapshot->diff_sha256 = std::string(64, 'd');
    CHECK(render::render_script({job, machine(), "b", "0.1.0"})
              .find("# Code snapshot: commit " + id + " with uncommitted changes (diff sha256 " + std::string(64, 'd') +
                    "), shipped by milex-run to $MILEX/code/" + id + "-dirty-dddddddddddd\n") != std::string::npos);
    // Without a snapshot nothing of it is written.
    CHECK(render::render_script({example_job(), machine(), "b", "0.1.0"}).find("MILEX_CODE") == std::string::npos);
}

TEST_CASE("a long job: its signal and TERM reach the application, which saves its checkpoint; MILEX_ATTEMPT counts requeues") {
    model::Machine m;
    m.name = "local";
    m.path = test::temp_dir().string();
    std::filesystem::create_directories(test::temp_dir() / "slurm");
    // The application: on USR1 or TERM it writes what it got into its checkpoint folder, then exits
    // 75. TERM comes twice (from "SLURM" to the whole group, and passed on by the script): it ignores the second.
    test::write_script(test::temp_dir(), "app",
                       "got() { trap '' USR1 TERM; echo \"$MILEX_ATTEMPT got $1\" >>\"$MILEX_CHECKPOINT_DIR/seen\"; exit 75; }\n"
                       "trap 'got USR1' USR1\ntrap 'got TERM' TERM\n"
                       "touch \"$MILEX/started-$MILEX_ATTEMPT\"\nwhile :; do sleep 0.1; done");
    model::Job j;
    j.name = "A";
    j.script = (test::temp_dir() / "app").string();
    j.slurm = {{"signal", "USR1@300"}, {"time", "10"}};
    const std::string script = render::render_script({j, m, "b_20261122023840", "0.1.0"});
    CHECK(script.find("#SBATCH --signal=B:USR1@300\n") != std::string::npos);
    test::write_file(test::temp_dir() / "job.sh", script);
    auto run = [&](const std::string& id, const std::string& signal, const std::string& restarts) {
        // As SLURM does: the signal to the batch shell alone (B:), or TERM to every process of the job.
        const std::string started = (test::temp_dir() / ("started-" + std::to_string(1 + std::stoi(restarts)))).string();
        const std::string kill = signal == "USR1" ? "kill -USR1 $pid" : "kill -TERM -- -$pid";
        util::run_process({"bash", "-c", "SLURM_JOB_ID=" + id + " SLURM_JOB_NAME=A SLURM_RESTART_COUNT=" + restarts +
                                             " setsid bash " + (test::temp_dir() / "job.sh").string() +
                                             " & pid=$!; while [ ! -e " + started + " ]; do sleep 0.1; done; " + kill +
                                             "; wait $pid"});
        return test::read_file(test::temp_dir() / "slurm" / ("A-" + id + ".status"));
    };
    CHECK(run("7", "USR1", "0").find(" exit 75 signal USR1\n") != std::string::npos);
    // The second TERM may reach a shell application before its trap has ignored it (exit 143).
    CHECK(run("7", "TERM", "1").find(" signal TERM\n") != std::string::npos);
    CHECK(test::read_file(test::temp_dir() / "checkpoints" / "b_20261122023840" / "A" / "seen") ==
          "1 got USR1\n2 got TERM\n");
}

TEST_CASE("a job with retries on SLURM: requeueable, warned before its limit, requeued by itself under the run's lock") {
    model::Machine m = machine();
    model::Job j = example_job();
    j.retries = 3;
    const std::string script =
        render::render_script({j, m, "sweep_20261122023840", "0.1.0", nullptr, 1, m.path + "/slurm/sweep_20261122023840.run1.lock"});
    CHECK(script == test::golden("retries.sh", script));
    j.retry_on = {model::RetryOn::timeout};
    const auto only_timeout = render::render_script({j, m, "sweep_20261122023840", "0.1.0"});
    CHECK(only_timeout.find("--requeue") == std::string::npos);
    CHECK(only_timeout.find("#SBATCH --signal=B:USR1@90\n") != std::string::npos);
    CHECK(only_timeout.find("requeue=0") == std::string::npos);
    j.retry_on = {model::RetryOn::preempted, model::RetryOn::node_fail};
    const auto no_timeout = render::render_script({j, m, "sweep_20261122023840", "0.1.0"});
    CHECK(no_timeout.find("#SBATCH --requeue\n") != std::string::npos);
    CHECK(no_timeout.find("--signal") == std::string::npos);
}

TEST_CASE("retries that contradict the request, or a scheduler that cannot retry, are refused with the fix") {
    model::Job j = example_job();
    j.retries = 2;
    j.retry_on = {model::RetryOn::preempted};
    REQUIRE_THROWS_WITH(render::render_script({j, machine(), "b_20261122023840", "0.1.0"}),
                        "job \"train\": retry_on has preempted without node_fail: the scheduler requeues a job for both "
                        "or for neither; give both, or neither");
    j.retry_on = {};
    j.slurm = {{"requeue", "false"}};
    REQUIRE_THROWS_WITH(render::render_script({j, machine(), "b_20261122023840", "0.1.0"}),
                        "job \"train\": \"requeue\": false contradicts retries on preempted and node_fail (a retry is "
                        "a requeue); remove --no-requeue, or set --retry-on timeout");
    j.slurm = {{"signal", "TERM@60"}};
    REQUIRE_THROWS_WITH(render::render_script({j, machine(), "b_20261122023840", "0.1.0"}),
                        "job \"train\": retries on timeout need a --signal other than TERM (which the scheduler also "
                        "sends when it preempts or cancels the job), e.g. USR1@300");
    j.slurm = {};
    model::Machine direct = machine();
    direct.scheduler = model::SchedulerKind::none;
    REQUIRE_THROWS_WITH(render::render_script({j, direct, "b_20261122023840", "0.1.0"}),
                        "job \"train\": machine \"narval\" runs jobs directly (\"scheduler\": \"none\"): nothing "
                        "preempts or requeues them there, so it cannot retry; remove \"retries\" or run the job on a "
                        "SLURM machine");
    REQUIRE_THROWS_WITH(render::render_script({j, sge_machine(), "b_20261122023840", "0.1.0"}),
                        "job \"train\" on machine \"local-sge\": retries on the cluster need SLURM's requeue; Grid "
                        "Engine has no such thing milex can drive (remove \"retries\", or run the job on a SLURM "
                        "machine)");
}

TEST_CASE("Grid Engine: USR1 before the limit is s_rt, requeue is -r; other signals are refused") {
    model::Job j = example_job();
    j.slurm = {{"time", "10"}, {"signal", "USR1@120"}, {"requeue", "true"}};
    const auto script = render::render_script({j, sge_machine(), "b_20261122023840", "0.1.0"});
    CHECK(script.find("#$ -l s_rt=480\n") != std::string::npos);
    CHECK(script.find("#$ -r y\n") != std::string::npos);
    CHECK(script.find("export MILEX_ATTEMPT=$(( 1 + ${RESTARTED:-0} ))") != std::string::npos);
    j.slurm = {{"time", "10"}, {"signal", "USR2@120"}};
    REQUIRE_THROWS_WITH(render::render_script({j, sge_machine(), "b_20261122023840", "0.1.0"}),
                        "job \"train\" on machine \"local-sge\": Grid Engine cannot express \"signal\" USR2@120 (it "
                        "sends only USR1 before a time limit, at s_rt; use USR1@SECONDS); remove it from the job (or "
                        "from the machine's \"sbatch\" defaults) or run the job on a SLURM machine");
    j.slurm = {{"signal", "USR1@120"}};
    REQUIRE_THROWS_WITH(render::render_script({j, sge_machine(), "b_20261122023840", "0.1.0"}),
                        "job \"train\" on machine \"local-sge\": Grid Engine cannot express \"signal\" USR1@120 "
                        "without a time limit (s_rt is counted from the start; give --time); remove it from the job "
                        "(or from the machine's \"sbatch\" defaults) or run the job on a SLURM machine");
}
