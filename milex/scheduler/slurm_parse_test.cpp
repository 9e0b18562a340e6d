#include <doctest/doctest.h>

#include "milex/scheduler/slurm.hpp"
#include "milex/scheduler/slurm_parse.hpp"
#include "unit/support.hpp"

using namespace milex::scheduler;
using namespace milex::scheduler::slurm;

TEST_CASE("squeue lines: plain jobs, array tasks and pending task ranges") {
    // Captured from the local cluster (SLURM 22.05).
    auto rows = parse_queue("3269|3269|N/A|B|PENDING|Dependency|0:00||2026-11-22T03:43:29\n"
                            "3276_1|3276|1|arr|RUNNING|None|0:02|vm|2026-11-22T03:47:55\n"
                            "3275_[0-5%1]|3275|0-5%1|arr2|PENDING|Priority|0:00||2026-11-22T03:44:48\n"
                            "3280|3280|N/A|C|PENDING|DependencyNeverSatisfied|0:00||2026-11-22T03:45:00\n");
    REQUIRE(rows.size() == 4);
    CHECK(rows[0].job_id == "3269");
    CHECK(rows[0].tasks == "");
    CHECK(rows[0].state.state == State::pending);
    CHECK(rows[0].state.reason == "Dependency");
    CHECK(rows[1].job_id == "3276");  // %F: the array's id, the one sbatch printed
    CHECK(rows[1].tasks == "1");
    CHECK(rows[1].state.node == "vm");
    CHECK(rows[2].tasks == "0-5%1");
    CHECK(rows[3].state.state == State::never_ran);
}

TEST_CASE("sacct lines: states, exit codes and signals, cancelled before start") {
    auto rows = parse_accounting(
        "3268|A|CANCELLED by 0|0:0|00:00:00|vm|2026-11-22T03:43:29|2026-11-22T03:43:30|2026-11-22T03:43:30|None\n"
        "3270_2|arr|COMPLETED|0:0|00:00:01|vm|2026-11-22T03:43:29|2026-11-22T03:43:30|2026-11-22T03:43:31|None\n"
        "3300|B|FAILED|3:0|00:00:02|vm|2026-11-22T03:50:00|2026-11-22T03:50:01|2026-11-22T03:50:03|NonZeroExitCode\n"
        "3301|C|TIMEOUT|0:15|00:01:00|vm|2026-11-22T03:50:00|2026-11-22T03:50:01|2026-11-22T03:51:01|TimeLimit\n"
        "3302|D|CANCELLED|0:0|00:00:00|None assigned|2026-11-22T03:50:00|Unknown|2026-11-22T03:50:05|"
        "DependencyNeverSatisfied\n"
        "3303|E|OUT_OF_MEMORY|0:125|00:00:09|vm|2026-11-22T03:50:00|2026-11-22T03:50:01|2026-11-22T03:50:10|None\n");
    REQUIRE(rows.size() == 6);
    CHECK(rows[0].state.state == State::cancelled);
    CHECK(rows[1].job_id == "3270");
    CHECK(rows[1].tasks == "2");
    CHECK(rows[2].state.state == State::failed);
    CHECK(rows[2].state.exit_code == "3");
    CHECK(rows[3].state.state == State::timeout);
    CHECK(rows[3].state.exit_code == "");  // stopped by SLURM: the state says it all
    CHECK(rows[4].state.state == State::never_ran);
    CHECK(rows[4].state.node == "");
    CHECK(rows[5].state.state == State::out_of_memory);
}

TEST_CASE("array specs expand to their indices") {
    CHECK(array_indices("0-3") == std::vector<std::string>{"0", "1", "2", "3"});
    CHECK(array_indices("1,5-9:2%3") == std::vector<std::string>{"1", "5", "7", "9"});
    CHECK(array_indices("0-5%1") == std::vector<std::string>{"0", "1", "2", "3", "4", "5"});
    CHECK(array_indices("0-999999", 3).size() == 3);
}

TEST_CASE("exit-status files written by the batch script") {
    auto done = parse_status_file("start 1795316095\nend 1795316160 exit 0\n");
    REQUIRE(done);
    CHECK(done->state == State::completed);
    CHECK(done->elapsed == "00:01:05");
    CHECK(done->start == "2026-11-22T02:54:55Z");
    auto failed = parse_status_file("start 1795316095\nend 1795316095 exit 3\n");
    CHECK(failed->state == State::failed);
    CHECK(failed->exit_code == "3");
    CHECK(parse_status_file("start 1795316095\n")->state == State::running);
    auto stopped = parse_status_file("start 1795316095\nend 1795316155 exit 143 signal TERM\n");
    CHECK(stopped->reason == "stopped by SIGTERM");
    CHECK(stopped->exit_code == "143");
    CHECK(time_limit_seconds("90") == 5400);
    CHECK(time_limit_seconds("1:30") == 90);
    CHECK(time_limit_seconds("01:30:00") == 5400);
    CHECK(time_limit_seconds("2-12") == 216000);
    CHECK(time_limit_seconds("1-0:0:5") == 86405);
    CHECK(time_limit_seconds("UNLIMITED") == 0);
    CHECK(parse_status_file("never-ran A-12\n")->reason == "dependency A-12 failed");
    CHECK_FALSE(parse_status_file(""));
}

TEST_CASE("resources per partition and GPU type, drained nodes left out") {
    const std::string nodes =
        "NodeName=vm CPUAlloc=1 CPUTot=8 Gres=gpu:fake:2 GresUsed=gpu:fake:1(IDX:0) State=MIXED Partitions=debug,long\n"
        "NodeName=g2 CPUAlloc=0 CPUTot=16 Gres=gpu:a100:4(S:0-1) GresUsed=gpu:a100:0(IDX:N/A) State=IDLE "
        "Partitions=gpu\n"
        "NodeName=g3 CPUAlloc=0 CPUTot=16 Gres=gpu:a100:4 GresUsed=gpu:a100:0(IDX:N/A) State=IDLE+DRAIN Partitions=gpu\n"
        "NodeName=c1 CPUAlloc=4 CPUTot=32 Gres=(null) State=MIXED Partitions=cpu\n";
    auto rows = parse_resources(nodes, "debug|gres:gpu:1\ngpu|gres:gpu:a100:2\ncpu|N/A\n");
    REQUIRE(rows.size() == 4);
    auto find = [&](const std::string& partition) {
        for (const auto& r : rows)
            if (r.partition == partition) return r;
        FAIL("no partition " << partition);
        return PartitionResources{};
    };
    auto debug = find("debug");
    CHECK(debug.gpu_type == "fake");
    CHECK(debug.gpus_total == 2);
    CHECK(debug.gpus_free == 1);
    CHECK(debug.cpus_free == 7);
    CHECK(debug.nodes_with_free_gpus == std::vector<std::string>{"vm"});
    CHECK(debug.pending_gpu_jobs == 1);
    CHECK(find("long").pending_gpu_jobs == 0);
    auto gpu = find("gpu");
    CHECK(gpu.gpus_total == 4);  // g3 is drained
    CHECK(gpu.pending_gpu_jobs == 1);
    CHECK(find("cpu").gpus_total == 0);
    CHECK(find("cpu").cpus_free == 28);
}

TEST_CASE("an array's state comes from its tasks") {
    JobState done, failed, running;
    done.state = State::completed;
    failed.state = State::failed;
    failed.exit_code = "3";
    running.state = State::running;
    CHECK(combine_tasks({{"0", done}, {"1", done}}).state == State::completed);
    CHECK(combine_tasks({{"0", done}, {"1", running}}).state == State::running);
    auto mixed = combine_tasks({{"0", done}, {"1", failed}});
    CHECK(mixed.state == State::failed);
    CHECK(mixed.exit_code == "3");
    CHECK(mixed.reason == "1 of 2 tasks completed");
}

TEST_CASE("sacctmgr's MaxSubmit: the smallest limit set binds, none set is no limit") {
    CHECK(parse_submit_limit("\n100\n\n25\n") == 25u);
    CHECK_FALSE(parse_submit_limit("\n\n").has_value());
    CHECK_FALSE(parse_submit_limit("").has_value());
}

TEST_CASE("numbers too large for SLURM's grammars are no number, never an exception or an overflow") {
    // Found by fuzzing (fuzz_slurm_grammar, crash-f12248296739521c3dc5d4412945ae3e628c918a):
    // time_limit_seconds threw std::out_of_range from std::stoll. The other parsers here read
    // digits the same way; each is pinned too.
    CHECK(time_limit_seconds("0991111111111111111111111111111111111%-:\xa6" "10") == 0);
    CHECK(time_limit_seconds("99999999999999999999") == 0);
    CHECK(time_limit_seconds("2000000000-0") == 0);  // fits, but its seconds would not
    CHECK(time_limit_seconds("1-12:30:00") == 131400);
    CHECK(array_indices("0-99999999999999999999999").empty());
    // Past the grammar's 9 digits an index is no index (SLURM's MaxArraySize is far below): the
    // step cannot wrap around.
    CHECK(array_indices("18446744073709551614-18446744073709551615:7").empty());
    CHECK(array_indices("999999990-999999999:7") == std::vector<std::string>{"999999990", "999999997"});
    CHECK_FALSE(config_count("MaxArraySize            = 999999999999999999999999\n", "MaxArraySize").has_value());
    CHECK_FALSE(parse_status_file("start 99999999999999999999999\n").has_value());
    CHECK_FALSE(parse_submit_limit("99999999999999999999999\n").has_value());
    auto rows = parse_resources("NodeName=n CPUTot=99999999999 CPUAlloc=1 State=IDLE Partitions=debug "
                                "Gres=gpu:99999999999 GresUsed=gpu:0\n",
                                "");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].cpus_total == 0);
    CHECK(rows[0].gpus_total == 0);
}

TEST_CASE("milex usage's one script: hours per account, fair share, limits of the user, the account and its QOS") {
    // Captured from SLURM 22.05 on the local cluster (tools/cluster up) for user milextest, with a
    // job of another cluster's association, a pending job and typed GPUs added.
    const std::string text = "@user milextest\n"
                             "@cluster milex\n"
                             "@jobs\n"
                             "research|3|billing=2,cpu=2,mem=2G,node=1\n"
                             "research|2|billing=1,cpu=1,gres/gpu=1,gres/gpu:fake=1,mem=1G,node=1\n"
                             "research|3600|cpu=4,gres/gpu:a100=2,node=1\n"
                             "research|0|\n"
                             "@status 0\n"
                             "@shares\n"
                             "root|||0.000000|677|1.000000|\n"
                             " research||1|0.500000|700|1.000000|\n"
                             "  research|milextest|1|0.500000|175|0.250000|0.666667\n"
                             "@status 0\n"
                             "@assoc\n"
                             "milex|research||||cpu=600000|||||||normal\n"
                             "milex|research|milextest|||||||||2-00:00:00|normal,big\n"
                             "milex|research|ada|||||||||1:00:00|normal\n"
                             "other|research|milextest|||||||5|||normal\n"
                             "@status 0\n"
                             "@qos\n"
                             "normal||||||\n"
                             "big|12:00:00||40|||\n"
                             "@status 0\n";
    auto usage = slurm::parse_usage(text);
    REQUIRE(usage);
    CHECK(usage->user == "milextest");
    CHECK(usage->cluster == "milex");
    REQUIRE(usage->accounts.size() == 1);
    const auto& r = usage->accounts[0];
    CHECK(r.account == "research");
    CHECK(r.jobs == 3);  // the pending one was never allocated
    CHECK(r.cpu_hours == doctest::Approx((2 * 3 + 1 * 2 + 4 * 3600) / 3600.0));
    CHECK(r.gpu_hours == doctest::Approx((1 * 2 + 2 * 3600) / 3600.0));
    CHECK(r.fair_share == doctest::Approx(0.666667));
    CHECK(r.share_of_account == doctest::Approx(0.25));
    std::vector<std::string> limits;
    for (const auto& limit : r.limits) limits.push_back(limit.name + "=" + limit.value + " (" + limit.from + ")");
    CHECK(limits == std::vector<std::string>{"GrpTRESMins=cpu=600000 (account)", "MaxWall=2-00:00:00 (you)",
                                             "MaxWall=12:00:00 (qos big)", "MaxJobsPU=40 (qos big)"});
}

TEST_CASE("milex usage where sacct has no accounting says so") {
    auto usage = slurm::parse_usage("@user ada\n@cluster c\n@jobs\nsacct: error: Slurm accounting storage is disabled\n"
                                    "@status 1\n@shares\n@status 0\n@assoc\n@status 0\n@qos\n@status 0\n");
    REQUIRE_FALSE(usage);
    CHECK(usage.error() == "sacct failed (exit 1): sacct: error: Slurm accounting storage is disabled; milex usage needs "
                           "SLURM's accounting (slurmdbd)");
}
