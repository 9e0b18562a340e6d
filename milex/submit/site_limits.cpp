#include "milex/submit/site_limits.hpp"

#include <chrono>

#include "milex/render/script.hpp"
#include "milex/scheduler/request.hpp"
#include "milex/util/error.hpp"

namespace milex::submit {

namespace {

/// The site's MaxSubmitJobs for the user. Asking sacctmgr costs a slurmdbd round (180 ms here, more
/// on a busy site) on every milex-run, so the answer, limit or none, is kept in the machine's cache
/// for an hour: limits change rarely, and a lowered one is still enforced by sbatch, which refuses
/// the job with its own error.
std::optional<size_t> site_submit_limit(Target& target) {
    using namespace std::chrono;
    const long long now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
    constexpr long long kept_for = 3600;
    if (auto cached = target.runs.machine_cache(target.machine.name, "max_submit_jobs"); cached && cached->is_object()) {
        const auto asked = cached->find("asked_at");
        const auto value = cached->find("value");
        if (asked != cached->end() && asked->is_number_integer() && value != cached->end() &&
            now - asked->get<long long>() < kept_for && now >= asked->get<long long>()) {
            if (value->is_number_unsigned()) return value->get<size_t>();
            if (value->is_null()) return std::nullopt;
        }
    }
    auto limit = target.scheduler.submit_limit();
    nlohmann::ordered_json entry = {{"value", nullptr}, {"asked_at", now}};
    if (limit) entry["value"] = *limit;
    target.runs.set_machine_cache(target.machine.name, "max_submit_jobs", entry);
    return limit;
}

bool any_array(const Target& target, const std::vector<size_t>& indices) {
    for (size_t index : indices) {
        const auto options = scheduler::job_request(target.plan.bundle.jobs[index], target.machine);
        if (model::find_option(options, "array")) return true;
    }
    return false;
}

/// The controller's MaxJobCount, asked once per machine and kept (it changes only with a
/// restart of the controller).
std::optional<size_t> site_job_count(Target& target) {
    if (auto cached = target.runs.machine_cache(target.machine.name, "max_job_count"); cached && cached->is_number())
        return cached->get<size_t>();
    auto count = target.scheduler.max_job_count();
    if (count) target.runs.set_machine_cache(target.machine.name, "max_job_count", *count);
    return count;
}

} // namespace

void measure_room(Target& target, const std::vector<size_t>& indices) {
    target.limit = target.machine.max_queued;
    if (!target.limit) target.limit = site_submit_limit(target);
    if (target.limit) {
        const size_t queued = target.scheduler.queued_jobs();
        target.room = queued >= *target.limit ? 0 : *target.limit - queued;
    }
    // A job array takes as many of the controller's places as it has tasks: a sweep can fill it
    // (plain jobs rarely do, and are spared the listing of every user's jobs this costs).
    if (!any_array(target, indices)) return;
    const auto most = site_job_count(target);
    if (!most || *most == 0) return;
    target.held_limit = *most - 1;  // SLURM refuses a submission that would bring it to MaxJobCount
    const size_t held = target.scheduler.held_jobs();
    target.held_room = held >= *target.held_limit ? 0 : *target.held_limit - held;
}

size_t max_array_for(Target& target, const std::vector<size_t>& indices) {
    if (!any_array(target, indices)) return 0;
    if (target.machine.max_array_size) return *target.machine.max_array_size;
    if (auto cached = target.runs.machine_cache(target.machine.name, "max_array_size"); cached && cached->is_number())
        return cached->get<size_t>();
    auto size = target.scheduler.max_array_size();
    if (!size) return 0;
    target.runs.set_machine_cache(target.machine.name, "max_array_size", *size);
    return *size;
}

} // namespace milex::submit
