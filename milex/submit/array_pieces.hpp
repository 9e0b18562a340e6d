#pragma once
/// Array splitting: a sweep beyond the site's largest array index goes in several submissions.
#include <string>
#include <vector>

#include "milex/model/bundle.hpp"
#include "milex/model/slurm_options.hpp"

namespace milex::submit {

/// One sbatch of a job: the script's own array (empty), or the tasks to run and the offset the
/// batch script adds to their indices.
struct Piece {
    std::string array;
    size_t offset = 0;
};

/// How `job` is submitted: one sbatch, or, for a sweep beyond the site's largest array index,
/// one per slice of indices. `tasks` (global indices) when only some run again.
std::vector<Piece> pieces_of(const model::Job& job, const model::SlurmOptions& options,
                             const std::vector<size_t>* tasks, size_t max_array, const std::string& machine);

} // namespace milex::submit
