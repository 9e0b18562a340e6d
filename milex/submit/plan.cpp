#include "milex/submit/submit.hpp"

#include <fmt/format.h>

#include "milex/graph/order.hpp"
#include "milex/render/script.hpp"
#include "milex/util/error.hpp"
#include "milex/util/hash.hpp"
#include "milex/version.hpp"

namespace milex::submit {

Plan plan_bundle(const store::BundleStore& bundles, const std::string& reference) {
    Plan plan;
    plan.file = bundles.locate(reference);
    auto text = util::read_file(plan.file.path);
    if (!text) throw Error(text.error());
    const std::string source = model::display_path(plan.file.path);
    // Every problem at once: the jobs' own, then unknown dependencies and a cycle.
    auto [bundle, problems] = model::read_bundle_text(*text, source);
    try {
        plan.order = graph::dependency_order(bundle, source);
    } catch (const Error& e) {
        problems.insert(problems.end(), e.lines().begin(), e.lines().end());
    }
    if (!problems.empty()) throw Error(problems);
    plan.bundle = std::move(bundle);
    plan.bundle_sha256 = util::sha256_hex(*text);
    return plan;
}

std::string script_path(const model::Machine& machine, const std::string& bundle_stem, const std::string& job,
                        int submission) {
    if (submission <= 1) return fmt::format("{}/slurm/{}_{}.sh", machine.path, bundle_stem, job);
    return fmt::format("{}/slurm/{}_{}.run{}.sh", machine.path, bundle_stem, job, submission);
}

std::string bundle_lock_path(const model::Machine& machine, const std::string& bundle_stem, int submission) {
    return fmt::format("{}/slurm/{}.run{}.lock", machine.path, bundle_stem, submission);
}

std::string render_job(const model::Job& job, const model::Machine& machine, const std::string& bundle_stem,
                       const ContainerPlan& containers, int attempt, int submission) {
    const render::RuntimeImage* image = job.container ? &containers.of(job.container->image).runtime_image : nullptr;
    return render::render_script(
        {job, machine, bundle_stem, version(), image, attempt, bundle_lock_path(machine, bundle_stem, submission)});
}

} // namespace milex::submit
