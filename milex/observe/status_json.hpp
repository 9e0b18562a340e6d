#pragma once
/// A run's statuses and a machine's resources as JSON: what `milex status --json` and `milex
/// resources --json` print and the dashboard serves.
#include <vector>

#include <nlohmann/json.hpp>

#include "milex/observe/status.hpp"

namespace milex::observe {

/// {"bundle", "machine", "submission", "record", "jobs": [{name, job_id, attempt, state, exit_code?,
/// elapsed?, node?, reason?, tasks?}]}; empty fields are left out.
nlohmann::ordered_json run_json(const store::StoredRun& run, const std::vector<JobStatus>& jobs);

/// [{partition, gpu_type, gpus_free, gpus_total, cpus_free, cpus_total, nodes_with_free_gpus,
/// pending_gpu_jobs}]
nlohmann::ordered_json resources_json(const std::vector<scheduler::PartitionResources>& rows);

/// {"user", "cluster", "accounts": [{account, jobs, cpu_hours, gpu_hours, fair_share?,
/// share_of_account?, limits: [{name, value, from}]}]}
nlohmann::ordered_json usage_json(const scheduler::Usage& usage);

} // namespace milex::observe
