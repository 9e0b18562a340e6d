#pragma once
/// The round trip: before a job is written or submitted, its application's -cli parses the
/// very words the batch script will pass, and must make of them what the bundle says. A job
/// that would die on the node with "unrecognized arguments" fails here instead.
#include <chrono>
#include <string>

#include "milex/model/bundle.hpp"

namespace milex::introspect {

/// What Job::verified records: a hash of the script, its arguments and their spellings.
std::string job_fingerprint(const model::Job& job);

/// Runs `<script>-cli` with the job's rendered words and compares its answer with script_args.
/// Throws Error naming the first key that differs, the words it was rendered as and what the
/// -cli made of them (or its refusal). `context` starts the message (e.g. `job "A": `).
void verify_round_trip(const model::Job& job, std::chrono::milliseconds timeout, const std::string& context = "");

/// Verifies every job of `bundle` whose fingerprint is not the one recorded in it (edited by
/// hand, or from a Python milex), each distinct job once; a container job with a command of its
/// own calls no application and is left alone. Returns how many were checked.
size_t verify_changed_jobs(const model::Bundle& bundle, std::chrono::milliseconds timeout);

} // namespace milex::introspect
