// scontrol show node -o -d, then (after a "----" line) squeue -h -t PENDING -o '%P|%b', as
// `milex resources` reads them; and scontrol show config for MaxArraySize (MaxJobCount is read alike).
#include "fuzz.hpp"
#include "milex/scheduler/slurm_parse.hpp"

MILEX_FUZZ_TARGET {
    const std::string text = milex::fuzz::text_of(data, size);
    const auto parts = milex::fuzz::two_parts(text);  // nodes, then pending
    milex::fuzz::refusals_only([&] { (void)milex::scheduler::slurm::parse_resources(parts.first, parts.second); });
    milex::fuzz::refusals_only([&] { (void)milex::scheduler::slurm::config_count(text, "MaxArraySize"); });
    return 0;
}
