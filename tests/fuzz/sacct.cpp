// sacct -X -n -P -o JobID,JobName,State,ExitCode,Elapsed,NodeList,Submit,Start,End,Reason.
#include "fuzz.hpp"

MILEX_FUZZ_TARGET {
    const std::string text = milex::fuzz::text_of(data, size);
    milex::fuzz::refusals_only([&] { milex::fuzz::read_rows(milex::scheduler::slurm::parse_accounting(text)); });
    return 0;
}
