#include <doctest/doctest.h>

#include <algorithm>

#include "milex/model/slurm_options.hpp"
#include "unit/support.hpp"

using namespace milex::model;

TEST_CASE("SLURM times in every form sbatch takes are accepted") {
    for (const char* ok : {"30", "30:00", "01:30:00", "2-0", "2-12", "2-12:30", "2-12:30:00", "0:90", "UNLIMITED"})
        CHECK_MESSAGE(!check_slurm_value("time", ok), ok);
}

TEST_CASE("bad times, memory sizes and arrays get a message with the fix") {
    CHECK(check_slurm_value("time", "1h").value() ==
          "\"1h\" is not a SLURM time; use minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (e.g. 01:30:00), "
          "or UNLIMITED");
    CHECK(check_slurm_value("mem", "1.5G").value() ==
          "\"1.5G\" is not a SLURM memory size; use a whole number with an optional unit K, M, G or T (e.g. 16G or "
          "1500M; plain numbers are megabytes)");
    CHECK(check_slurm_value("array", "3-1").value() ==
          "\"3-1\": range 3-1 runs backwards; use indices and ranges such as 0-15, 1,3,5, 0-99:2 or 0-99%10");
    CHECK(check_slurm_value("array", "1-x").value() ==
          "\"1-x\" is not a SLURM array; use indices and ranges such as 0-15, 1,3,5, 0-99:2 or 0-99%10");
    CHECK(check_slurm_value("array", "0-9%0").value() ==
          "\"0-9%0\": %0 would never run a task; use indices and ranges such as 0-15, 1,3,5, 0-99:2 or 0-99%10");
    CHECK(check_slurm_value("cpus_per_task", "0").value() == "\"0\" must be a whole number of at least 1");
    CHECK(check_slurm_value("gres", "gpu 1").value() ==
          "\"gpu 1\" is not a SLURM gres; use name[:type]:count such as gpu:1 or gpu:a100:2");
    CHECK(check_slurm_value("partition", "a b").value() ==
          "\"a b\" holds a space, quote, backslash or control character, which an #SBATCH line cannot carry");
}

TEST_CASE("good values pass") {
    CHECK_FALSE(check_slurm_value("mem", "16G"));
    CHECK_FALSE(check_slurm_value("mem", "1GB"));
    CHECK_FALSE(check_slurm_value("mem", "4000"));
    CHECK_FALSE(check_slurm_value("array", "0-3"));
    CHECK_FALSE(check_slurm_value("array", "1,3,5-9:2%2"));
    CHECK_FALSE(check_slurm_value("gres", "gpu:fake:1"));
    CHECK_FALSE(check_slurm_value("gres", "gpu:1,shard:2"));
    CHECK_FALSE(check_slurm_value("nodes", "2-4"));
}

TEST_CASE("keys become sbatch options") {
    CHECK(sbatch_option("cpus_per_task") == "--cpus-per-task");
    CHECK(sbatch_option("tasks") == "--ntasks");
    CHECK(sbatch_option("time") == "--time");
}

TEST_CASE("a job's own request wins over the machine's defaults, keeping order") {
    SlurmOptions machine = {{"partition", "debug"}, {"time", "10"}};
    SlurmOptions job = {{"time", "20"}, {"mem", "1G"}};
    CHECK(merged(machine, job) == SlurmOptions{{"partition", "debug"}, {"time", "20"}, {"mem", "1G"}});
}

TEST_CASE("account is a machine key, never a job key") {
    const auto& job_keys = known_slurm_keys(OptionOwner::job);
    const auto& machine_keys = known_slurm_keys(OptionOwner::machine);
    CHECK(std::find(job_keys.begin(), job_keys.end(), "account") == job_keys.end());
    CHECK(std::find(machine_keys.begin(), machine_keys.end(), "account") != machine_keys.end());
}

TEST_CASE("the hand-written grammars refuse near misses") {
    for (const char* bad : {"1:2:3:4", "-5", "5-", "1-2:3:4:5", "1::2", "1-123", "12:345"})
        CHECK_MESSAGE(check_slurm_value("time", bad), bad);
    for (const char* bad : {"G", "16GiB", "-1", "1e3", ""}) CHECK_MESSAGE(check_slurm_value("mem", bad), bad);
    for (const char* bad : {"1,", ",1", "1-3:", "%5", "1-", "a"}) CHECK_MESSAGE(check_slurm_value("array", bad), bad);
    for (const char* bad : {"gpu:", ":1", "1gpu", "gpu:a:1:2", "gpu:a100:x"})
        CHECK_MESSAGE(check_slurm_value("gres", bad), bad);
    for (const char* bad : {"0", "a100:0", ":2", "x"}) CHECK_MESSAGE(check_slurm_value("gpus", bad), bad);
    for (const char* bad : {"0", "01", "2-", "2-0"}) CHECK_MESSAGE(check_slurm_value("nodes", bad), bad);
    for (const char* good : {"gpu", "gpu:a100", "shard:1G", "gpu:tesla-v100.32g:4"})
        CHECK_MESSAGE(!check_slurm_value("gres", good), good);
    for (const char* good : {"a100:2", "3"}) CHECK_MESSAGE(!check_slurm_value("gpus", good), good);
}

TEST_CASE("signals: SLURM's form with or without SIG, a number or B:, and what is wrong with the rest") {
    auto spec = parse_signal("USR1@300");
    REQUIRE(spec);
    CHECK(spec->name == "USR1");
    CHECK(spec->seconds == 300);
    CHECK(spec->prefix == "");
    CHECK(parse_signal("B:SIGUSR2@30")->name == "USR2");
    CHECK(parse_signal("B:SIGUSR2@30")->prefix == "B");
    CHECK(parse_signal("10")->name == "USR1");
    CHECK(parse_signal("10")->seconds == 60);
    CHECK_FALSE(parse_signal("KILL@30"));
    CHECK_FALSE(parse_signal("USR1@"));
    CHECK_FALSE(parse_signal("USR1@99999"));
    CHECK(*check_slurm_value("signal", "USR3@10") ==
          "\"USR3@10\" is not a signal; write SIGNAL@SECONDS, e.g. USR1@300 (USR1 300 seconds before the time limit; "
          "one of HUP, INT, QUIT, USR1, USR2, ALRM, TERM, CONT, URG, XCPU)");
    CHECK(*check_slurm_value("requeue", "yes") == "\"yes\" must be true or false");
    CHECK_FALSE(check_slurm_value("requeue", "false"));
}
