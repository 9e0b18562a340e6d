// squeue -h -o '%i|%F|%K|%j|%T|%r|%M|%N|%V', and the array specs its rows carry.
#include "fuzz.hpp"

MILEX_FUZZ_TARGET {
    const std::string text = milex::fuzz::text_of(data, size);
    milex::fuzz::refusals_only([&] { milex::fuzz::read_rows(milex::scheduler::slurm::parse_queue(text)); });
    return 0;
}
