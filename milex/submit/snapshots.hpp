#pragma once
/// The code snapshots of a bundle's jobs on a machine: each shipped once to
/// `<machine path>/code/<id>/` from the archive milex-schedule --snapshot left in
/// `<local path>/code/`, before anything is submitted.
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "milex/model/bundle.hpp"
#include "milex/model/machine.hpp"
#include "milex/transport/transport.hpp"

namespace milex::submit {

struct SnapshotShipment {
    std::string id;         ///< model::Snapshot::id()
    std::string archive;    ///< `<local path>/code/<id>.tar` on this computer
    std::string directory;  ///< `<machine path>/code/<id>` as the machine's path is written
    bool ship = false;      ///< not on the machine yet
    /// What the run record keeps for each job that uses it: id, commit, branch, remote, dirty,
    /// diff_sha256, path.
    nlohmann::ordered_json details;
};

struct SnapshotPlan {
    std::vector<SnapshotShipment> snapshots;  ///< each distinct snapshot of the bundle, once

    /// The shipment of `id`, or nullptr.
    const SnapshotShipment* of(const std::string& id) const;
};

/// What the snapshots of `bundle` need on `machine`. Throws Error, before anything is written,
/// naming each job whose archive is not in `local_code_dir` (the bundle was scheduled on
/// another computer). `transport` is asked which are there already (one shell call); without
/// one (a dry run of a machine not reached) each is taken as missing.
SnapshotPlan plan_snapshots(const model::Bundle& bundle, const model::Machine& machine,
                            const std::string& local_code_dir, transport::Transport* transport);

/// Ships what `plan` says is missing: each archive unpacked into its directory on the machine
/// (Transport::unpack_archive: one tar stream over the connection the scripts use), whole or not
/// at all. `step` hears each before it starts.
void ship_snapshots(const SnapshotPlan& plan, const model::Machine& machine, transport::Transport& transport,
                    const std::function<void(const std::string&)>& step);

/// `id`'s details for the user: "commit 1a2b3c4d5e6f (branch main, git@…), clean".
std::string snapshot_summary(const nlohmann::ordered_json& details);

} // namespace milex::submit
