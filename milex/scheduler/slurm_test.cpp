#include <doctest/doctest.h>

#include "milex/scheduler/slurm.hpp"
#include "milex/scheduler/slurm_parse.hpp"
#include "unit/support.hpp"

using namespace milex::scheduler;

TEST_CASE("sbatch --parsable output gives the id and the cluster") {
    CHECK(parse_parsable("1234\n")->job_id == "1234");
    CHECK(parse_parsable("1234;narval\n")->cluster == "narval");
    // Sites print notices before the id.
    CHECK(parse_parsable("NOTICE: your account is nearly out of hours\n987\n")->job_id == "987");
    CHECK(parse_parsable("Submitted batch job 12\n").error() ==
          "sbatch printed no job id (got \"Submitted batch job 12\\n\")");
}

TEST_CASE("dependencies go on the sbatch command line") {
    milex::transport::LocalTransport here;
    SlurmScheduler slurm(here);
    CHECK(slurm.submit_command({"D", "/m/slurm/d.sh", {"11", "12"}, "milex:abc:D:1", "", 0, ""}) ==
          std::vector<std::string>{"sbatch", "--parsable", "--comment=milex:abc:D:1",
                                   "--export=ALL,MILEX_TAG=milex:abc:D:1", "--dependency=afterok:11:12", "/m/slurm/d.sh"});
    CHECK(slurm.submit_command({"A", "/m/slurm/a.sh", {}, "", "", 0, ""}) ==
          std::vector<std::string>{"sbatch", "--parsable", "/m/slurm/a.sh"});
    // The second part of a split sweep: its own indices, and the offset its script adds.
    CHECK(slurm.submit_command({"S", "/m/slurm/s.sh", {}, "t:p1", "0-10%2", 11, ""}) ==
          std::vector<std::string>{"sbatch", "--parsable", "--comment=t:p1", "--array=0-10%2",
                                   "--export=ALL,MILEX_TAG=t:p1,MILEX_TASK_OFFSET=11", "/m/slurm/s.sh"});
}

TEST_CASE("MaxArraySize and MaxJobCount from scontrol show config, and indices folded back into a spec") {
    using namespace milex::scheduler::slurm;
    const std::string config = "JobCompType             = jobcomp/none\nMaxArraySize            = 1001\nMaxJobCount = 10000\n";
    CHECK(config_count(config, "MaxArraySize") == 1001u);
    CHECK(config_count(config, "MaxJobCount") == 10000u);
    CHECK_FALSE(config_count("Nothing = here\n", "MaxArraySize"));
    CHECK(fold_indices({0, 1, 2, 3, 7, 9, 10}) == "0-3,7,9-10");
    CHECK(fold_indices({5}) == "5");
}
