// A run record and (after a "----" line) its journal, as milex status and milex-run read them
// back: edited by hand, torn by a crash, or written by a newer milex.
#include "fuzz.hpp"
#include "milex/store/run_store.hpp"

MILEX_FUZZ_TARGET {
    const std::string text = milex::fuzz::text_of(data, size);
    const auto parts = milex::fuzz::two_parts(text);  // record, then journal
    milex::fuzz::refusals_only([&] {
        auto run = milex::store::parse_run_record(parts.first, parts.second, "runs/fuzz@local.1.json");
        (void)run.to_json().dump();
        (void)run.complete();
        for (auto* job : run.latest()) (void)job->ids();
    });
    return 0;
}
