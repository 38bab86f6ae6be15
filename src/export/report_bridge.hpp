#pragma once
// Between sysmon's samples and the stored report: what the engine hands to the report after a
// run (sysmon::resource_report → report::resources), and what `gatebench export openmetrics`
// reads back from a stored report (report::loaded_report → openmetrics_input).

#include <cstdint>
#include <string>

#include "export/openmetrics.hpp"
#include "report/report.hpp"
#include "sysmon/sampler.hpp"

namespace gb::exporter {

/// The report's resources block from a sampler's report. Sample offsets are measured from
/// `run_start_steady_ns` (driver::run_result::start_steady_ns). The descriptions say what was
/// sampled, e.g. "pid 1234 (+3 children)" or "--target-cmd 'nginx -c ...'".
report::resources to_report_resources(const sysmon::resource_report& r,
                                      std::int64_t run_start_steady_ns,
                                      const std::string& harness_description,
                                      const std::string& target_description);

/// Everything render_openmetrics needs from a loaded report. `rep` must outlive the result
/// (the intervals are referenced, not copied); `resources_out` receives the resource samples
/// (phases taken from the time series: a sample inside a phase's intervals gets that phase,
/// before the first "idle", after the last "after"). The decoder is metrics::decode_base64.
openmetrics_input openmetrics_input_from_report(const report::loaded_report& rep,
                                                sysmon::resource_report& resources_out);

}  // namespace gb::exporter
