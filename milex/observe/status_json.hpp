#pragma once
/// A run's statuses as JSON: what `milex status --json` prints and the dashboard serves.
#include <vector>

#include <nlohmann/json.hpp>

#include "milex/observe/status.hpp"

namespace milex::observe {

/// {"bundle", "machine", "submission", "record", "jobs": [{name, job_id, attempt, state, exit_code?,
/// elapsed?, node?, reason?, tasks?}]}; empty fields are left out.
nlohmann::ordered_json run_json(const store::StoredRun& run, const std::vector<JobStatus>& jobs);

} // namespace milex::observe
