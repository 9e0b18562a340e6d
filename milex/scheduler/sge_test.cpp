#include <doctest/doctest.h>

#include "milex/scheduler/sge.hpp"
#include "milex/scheduler/sge_dialect.hpp"
#include "milex/scheduler/sge_parse.hpp"
#include "unit/support.hpp"

using namespace milex::scheduler;

// Captured from Son of Grid Engine 8.1.9 on the local cell (tools/cluster up).

TEST_CASE("qsub -terse gives the id of a job and of an array") {
    CHECK(sge::parse_terse("21\n") == "21");
    CHECK(sge::parse_terse("23.1-3:1\n") == "23");
    CHECK_FALSE(sge::parse_terse("Your job 21 (\"A\") has been submitted\n"));
}

TEST_CASE("qsub's words: tag as context, dependencies held and told to the script, arrays from 1") {
    milex::transport::LocalTransport here;
    SgeScheduler sge(here, "/m/slurm");
    CHECK(sge.submit_command({"D", "/m/slurm/d.sh", {"11", "12"}, "milex:abc:D:1", "", 0, ""}) ==
          std::vector<std::string>{"qsub", "-terse", "-w", "e", "-ac", "milex_tag=milex:abc:D:1", "-hold_jid", "11,12", "-v",
                                   "MILEX_TAG=milex:abc:D:1,MILEX_AFTER=11:12", "/m/slurm/d.sh"});
    CHECK(sge.submit_command({"S", "/m/slurm/s.sh", {}, "t:p1", "0-10%2", 11, ""}) ==
          std::vector<std::string>{"qsub", "-terse", "-w", "e", "-ac", "milex_tag=t:p1", "-t", "1-11", "-tc", "2", "-v",
                                   "MILEX_TAG=t:p1,MILEX_TASK_OFFSET=11", "/m/slurm/s.sh"});
    CHECK(sge::array_words("4-8:2", "x") == std::vector<std::string>{"-t", "5-9:2"});
    CHECK(sge::array_words("7", "x") == std::vector<std::string>{"-t", "8-8"});
    // A list (resubmit --failed of tasks 1 and 3): its whole range, the others skipped by the script.
    CHECK(sge::array_words("1,3%1", "x") == std::vector<std::string>{"-t", "2-4", "-v", "MILEX_TASKS=1:3", "-tc", "1"});
}

TEST_CASE("qstat -xml: running tasks one by one, pending ones as ranges, held jobs") {
    const std::string xml = R"(<?xml version='1.0'?>
<job_info  xmlns:xsd="http://arc.liv.ac.uk/repos/darcs/sge/source/dist/util/resources/schemas/qstat/qstat.xsd">
  <queue_info>
    <job_list state="running">
      <JB_job_number>2</JB_job_number>
      <JAT_prio>0.50000</JAT_prio>
      <JB_name>tjob</JB_name>
      <JB_owner>root</JB_owner>
      <state>r</state>
      <JAT_start_time>2026-12-02T05:20:33</JAT_start_time>
      <queue_name>all.q@vm</queue_name>
      <slots>2</slots>
      <tasks>1</tasks>
    </job_list>
  </queue_info>
  <job_info>
    <job_list state="pending">
      <JB_job_number>2</JB_job_number>
      <JB_name>tjob</JB_name>
      <state>qw</state>
      <tasks>2,3</tasks>
    </job_list>
    <job_list state="pending">
      <JB_job_number>5</JB_job_number>
      <JB_name>slp</JB_name>
      <state>hqw</state>
    </job_list>
  </job_info>
</job_info>)";
    const auto entries = sge::parse_qstat(xml);
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].job_id == "2");
    CHECK(entries[0].tasks == std::vector<size_t>{1});
    CHECK(entries[0].node == "vm");
    CHECK(entries[1].tasks == std::vector<size_t>{2, 3});
    CHECK(entries[2].tasks.empty());
    CHECK(sge::state_of("r").state == State::running);
    CHECK(sge::state_of("hqw").state == State::pending);
    CHECK(sge::state_of("hqw").reason == "held: waiting for its dependencies (hqw)");
    CHECK(sge::state_of("Eqw").state == State::pending);
    CHECK(sge::state_of("dr").state == State::cancelled);
}

TEST_CASE("qacct -j: exit status, time limit, deletion") {
    const std::string text = "==============================================================\n"
                             "qname        all.q               \nhostname     vm                  \n"
                             "jobname      A                   \njobnumber    1                   \n"
                             "taskid       undefined\nfailed       0    \nexit_status  3                   \n"
                             "maxvmem      12.164MB\n"
                             "==============================================================\n"
                             "jobname      T\njobnumber    2\ntaskid       2\n"
                             "failed       37  : qmaster enforced h_rt limit\nexit_status  137                  (Killed)\n"
                             "==============================================================\n"
                             "jobname      S\njobnumber    4\ntaskid       undefined\n"
                             "failed       100 : assumedly after job\nexit_status  137                  (Killed)\n";
    const auto entries = sge::parse_qacct(text);
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].state.state == State::failed);
    CHECK(entries[0].state.exit_code == "3");
    CHECK(entries[0].task.empty());
    CHECK(entries[1].task == "2");
    CHECK(entries[1].state.state == State::timeout);
    CHECK(entries[2].state.state == State::cancelled);
}

TEST_CASE("qstat -j NAME -xml: the milex_tag context of each job") {
    const std::string xml = R"(<?xml version='1.0'?>
<detailed_job_info  xmlns:xsd="http://arc.liv.ac.uk/repos/darcs/sge/source/dist/util/resources/schemas/qstat/detailed_job_info.xsd">
  <djob_info>
    <element>
      <JB_job_number>3</JB_job_number>
      <JB_context>
        <context_list>
          <VA_variable>milex_tag</VA_variable>
          <VA_value>milex:abc:A:1</VA_value>
        </context_list>
      </JB_context>
    </element>
  </djob_info>
</detailed_job_info>)";
    CHECK(sge::parse_tags(xml) == std::map<std::string, std::string>{{"3", "milex:abc:A:1"}});
}

TEST_CASE("resources: slots and the consumable gpu complex per queue") {
    const std::string queues = R"(<?xml version='1.0'?>
<job_info>
  <queue_info>
    <Queue-List>
      <name>all.q@vm</name>
      <slots_used>1</slots_used>
      <slots_resv>0</slots_resv>
      <slots_total>8</slots_total>
      <resource name="gpu" type="hc">1</resource>
    </Queue-List>
  </queue_info>
</job_info>)";
    const std::string hosts = "hostname              vm\nload_scaling          NONE\ncomplex_values        gpu=2\n";
    const std::string pending = R"(<?xml version='1.0'?>
<job_info><queue_info/><job_info>
    <job_list state="pending">
      <JB_job_number>5</JB_job_number>
      <hard_request name="gpu" resource_contribution="0.000000">1</hard_request>
    </job_list>
</job_info></job_info>)";
    const auto r = sge::parse_resources(queues, hosts, pending);
    REQUIRE(r.size() == 1);
    CHECK(r[0].partition == "all.q");
    CHECK(r[0].cpus_total == 8);
    CHECK(r[0].cpus_free == 7);
    CHECK(r[0].gpus_total == 2);
    CHECK(r[0].gpus_free == 1);
    CHECK(r[0].pending_gpu_jobs == 1);
    CHECK(sge::config_limit("max_aj_tasks           75000\nmax_u_jobs             0\n", "max_aj_tasks") == 75000);
    CHECK_FALSE(sge::config_limit("max_aj_tasks           75000\nmax_u_jobs             0\n", "max_u_jobs"));
}

TEST_CASE("mail types as qsub's -m letters; what Grid Engine cannot mail on is refused") {
    CHECK(sge::mail_letters("END,FAIL", "x") == "ea");
    CHECK(sge::mail_letters("ALL,END", "x") == "bea");
    CHECK(sge::mail_letters("NONE", "x") == "n");
    CHECK(sge::mail_letters("NONE,BEGIN", "x") == "b");
    CHECK_THROWS_WITH(sge::mail_letters("END,TIME_LIMIT_80", "job \"A\" on machine \"sge\""),
                      "job \"A\" on machine \"sge\": Grid Engine cannot mail on \"TIME_LIMIT_80\" (it knows BEGIN, END, "
                      "FAIL, ALL and NONE); change the machine's \"mail_type\"");
}
