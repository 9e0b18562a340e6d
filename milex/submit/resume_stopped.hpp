#pragma once
/// `milex resume`: a stopped run goes on. What was stopped or never submitted is submitted again
/// with the machinery of milex resubmit, wired to what completed or is still queued.
#include <functional>
#include <string>
#include <vector>

#include "milex/model/bundle.hpp"
#include "milex/model/machine.hpp"
#include "milex/model/run.hpp"
#include "milex/submit/submit.hpp"

namespace milex::submit {

/// The jobs milex resume submits, in the bundle's order: each whose latest attempt was stopped
/// (milex stop) and each job of `bundle` that `record` never submitted (milex-run was stopped,
/// or the queue cap held it back). A job under way when milex-run stopped (an intent without an
/// id) counts as submitted: it is adopted by its tag first.
std::vector<std::string> jobs_to_resume(const model::RunRecord& record, const model::Bundle& bundle,
                                        const std::vector<size_t>& order);

/// Adopts what an interrupted milex-run left under way, then submits jobs_to_resume as their
/// next attempts (MILEX_ATTEMPT counts on; a job's checkpoint folder is its own whatever the
/// attempt, so it is kept) and clears the record's stop. `starting` is called once there is
/// something to submit, just before. Returns the names submitted; empty: nothing to resume.
std::vector<std::string> resume_stopped(const model::Config& config, store::StoredRun& run,
                                        const store::RunStore& runs, const model::Machine& machine,
                                        transport::Transport& transport, scheduler::Scheduler& scheduler,
                                        const Progress& progress, const std::function<void()>& starting);

} // namespace milex::submit
