#pragma once
/// The order in which a bundle's jobs can be submitted: every job after the jobs it depends on.
#include <string>
#include <vector>

#include "milex/model/bundle.hpp"

namespace milex::graph {

/// Indices into `bundle.jobs` such that each job comes after all its dependencies; among jobs
/// that are free to go, file order is kept. Unknown dependency names (each, with the known
/// names) and a cycle among the known ones (named, `A -> B -> A`) are thrown together as one
/// Error, each line prefixed with `source`.
std::vector<size_t> dependency_order(const model::Bundle& bundle, const std::string& source);

/// Checks that every dependency of `job` names a job of `bundle` and that the job does not
/// depend on itself; for a job about to be appended.
void check_dependencies(const model::Bundle& bundle, const model::Job& job, const std::string& bundle_name);

} // namespace milex::graph
