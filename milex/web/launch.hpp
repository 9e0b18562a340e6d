#pragma once
/// Launching a job again from the dashboard, changed: the form an existing job offers, and the
/// changed job checked by its application's -cli exactly as milex-schedule checks a new one,
/// written alone into a new bundle of the same kind a command writes.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "milex/model/job.hpp"
#include "milex/model/machine.hpp"
#include "milex/util/error.hpp"

namespace milex::web {

/// A launch refused; `field` is "args.KEY", "slurm.KEY", "machine" or "" (the whole form), so
/// that the page shows the message next to what it concerns.
class LaunchRefused : public Error {
public:
    LaunchRefused(std::string field, std::string message) : Error(std::move(message)), m_field(std::move(field)) {}
    const std::string& field() const { return m_field; }

private:
    std::string m_field;
};

/// The SLURM keys the form offers.
const std::vector<std::string>& launch_slurm_keys();

/// {job, script, args: [{key, value, kind: number|boolean|list|string|null, editable, why?}],
/// slurm: {key: value}, launchable, why?}. A key left at its default when the job was
/// scheduled (no recorded spelling) is read-only: milex would not know how to write it for
/// the application.
nlohmann::ordered_json launch_form(const model::Job& job);

/// `job` with `changes` ({args: {key: value}, slurm: {key: value}}) applied and verified with its
/// application's -cli (the same round trip as milex-schedule). Throws LaunchRefused.
model::Job changed_job(const model::Job& job, const nlohmann::ordered_json& changes);

/// Refuses `job` on `machine` when its request asks for a partition or GPU type outside the
/// machine's `allowed_partitions` / `allowed_gpu_types` (scheduler::disallowed); the field is
/// "slurm.KEY" when the form offers KEY, else the whole form.
void check_allowed(const model::Job& job, const model::Machine& machine);

/// `{partitions, gpu_types}` of the machine's allowed lists, each only when the config sets it.
nlohmann::ordered_json allowed_offers(const model::Machine& machine);

/// Writes `job`, without dependencies, alone into a new bundle `<name>_<stamp>` in the local
/// machine's jobs/ and returns its path.
std::filesystem::path write_launch_bundle(const model::Config& config, const std::string& name, model::Job job);

} // namespace milex::web
