#pragma once
/// The site's limits a submission must respect, asked of the scheduler and kept in the machine's
/// cache: the queue cap (max_queued or MaxSubmitJobs), the controller's (MaxJobCount) and the
/// largest array index.
#include <vector>

#include "milex/submit/submit_jobs.hpp"

namespace milex::submit {

/// The queue cap of the machine (max_queued, else the site's MaxSubmitJobs) and the room left;
/// when a job of `indices` is an array, also the controller's MaxJobCount (kept in the machine's
/// cache) and the room left under it, every user's jobs counted.
void measure_room(Target& target, const std::vector<size_t>& indices);

/// The site's MaxArraySize when a job of `indices` is an array (kept in the machine's cache:
/// asked once per machine); 0 when none is.
size_t max_array_for(Target& target, const std::vector<size_t>& indices);

} // namespace milex::submit
