// sacctmgr -n -P show assoc where user=… format=MaxSubmit: the site's cap on queued jobs; and the
// whole output of milex usage's one script (sacct, sshare, sacctmgr assoc and qos sections).
#include "fuzz.hpp"
#include "milex/scheduler/slurm_parse.hpp"

MILEX_FUZZ_TARGET {
    const std::string text = milex::fuzz::text_of(data, size);
    milex::fuzz::refusals_only([&] { (void)milex::scheduler::slurm::parse_submit_limit(text); });
    milex::fuzz::refusals_only([&] { (void)milex::scheduler::slurm::parse_usage(text); });
    return 0;
}
