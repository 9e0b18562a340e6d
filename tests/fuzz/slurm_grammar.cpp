// SLURM's small grammars: the first line names a bundle's slurm key, the rest is its value
// (time, memory, array, gres, …) as milex checks it; the same text as a time limit, an array
// spec, a time stamp, a state word and an exit-status file.
#include "fuzz.hpp"
#include "milex/model/slurm_options.hpp"
#include "milex/scheduler/slurm_parse.hpp"

MILEX_FUZZ_TARGET {
    namespace slurm = milex::scheduler::slurm;
    const std::string text = milex::fuzz::text_of(data, size);
    const auto newline = text.find('\n');
    const std::string key = text.substr(0, newline);
    const std::string value = newline == std::string::npos ? "" : text.substr(newline + 1);
    milex::fuzz::refusals_only([&] {
        (void)milex::model::check_slurm_value(key, value);
        for (const auto& known : milex::model::known_slurm_keys(milex::model::OptionOwner::machine))
            (void)milex::model::check_slurm_value(known, value);
    });
    milex::fuzz::refusals_only([&] { (void)slurm::duration_text(slurm::time_limit_seconds(value)); });
    milex::fuzz::refusals_only([&] { (void)slurm::array_indices(value, 10000); });
    milex::fuzz::refusals_only([&] {
        (void)slurm::epoch_of(value, true);
        (void)slurm::epoch_of(value, false);
    });
    milex::fuzz::refusals_only([&] { (void)slurm::state_of(value); });
    milex::fuzz::refusals_only([&] { (void)slurm::parse_status_file(text); });
    return 0;
}
