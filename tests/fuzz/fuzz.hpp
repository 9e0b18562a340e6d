#pragma once
/// What every fuzz target shares: the input as text, split in parts where a target reads two
/// texts, and the contract checked. A parser may refuse its input only with milex::Error (a
/// message for the user); any other exception, a crash, a leak or undefined behaviour is a bug
/// that libFuzzer reports with the input that caused it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "milex/scheduler/slurm_parse.hpp"
#include "milex/util/error.hpp"

namespace milex::fuzz {

inline std::string text_of(const uint8_t* data, size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

/// `text` cut at the first line "----" (the seed files separate their two parts so): the part
/// before and the part after; everything is the first part when there is no such line.
inline std::pair<std::string, std::string> two_parts(const std::string& text) {
    const std::string separator = "\n----\n";
    const auto at = text.find(separator);
    if (at == std::string::npos) return {text, ""};
    return {text.substr(0, at + 1), text.substr(at + separator.size())};
}

/// Runs `parse`; milex::Error is a refusal the user would read, so it is fine.
template <class F>
void refusals_only(F&& parse) {
    try {
        parse();
    } catch (const milex::Error&) {
    }
}

/// What a status poll does with the rows of squeue or sacct: their array tasks and submit times.
template <class Rows>
void read_rows(const Rows& rows) {
    for (const auto& row : rows) {
        (void)milex::scheduler::slurm::array_indices(row.tasks, 10000);
        (void)milex::scheduler::slurm::epoch_of(row.submitted, false);
    }
}

} // namespace milex::fuzz

#define MILEX_FUZZ_TARGET extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
