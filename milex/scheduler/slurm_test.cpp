#include <doctest/doctest.h>

#include "milex/scheduler/slurm.hpp"
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
    CHECK(slurm.submit_command({"D", "/m/slurm/d.sh", {"11", "12"}, "milex:abc:D:1"}) ==
          std::vector<std::string>{"sbatch", "--parsable", "--comment=milex:abc:D:1", "--dependency=afterok:11:12",
                                   "/m/slurm/d.sh"});
    CHECK(slurm.submit_command({"A", "/m/slurm/a.sh", {}, ""}) ==
          std::vector<std::string>{"sbatch", "--parsable", "/m/slurm/a.sh"});
}
