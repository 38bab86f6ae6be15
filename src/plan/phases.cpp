#include "plan/phases.hpp"

#include "plan/level_curve.hpp"

namespace gb::plan {

std::string_view to_string(phase p) noexcept {
  switch (p) {
    case phase::warmup:
      return "warmup";
    case phase::main:
      return "main";
    case phase::cooldown:
      return "cooldown";
  }
  return "main";
}

std::vector<phase_window> make_phases(const scenario::load& load) {
  std::vector<phase_window> out;
  for (const auto& seg : make_level_curve(load)) {
    if (!out.empty() && out.back().which == seg.which) {
      out.back().end_ns = seg.end_ns;
    } else {
      out.push_back({seg.which, seg.start_ns, seg.end_ns});
    }
  }
  if (out.empty()) {
    // Stages of zero total length: an empty main phase keeps callers simple.
    out.push_back({phase::main, load.warmup_ns, load.warmup_ns});
  }
  return out;
}

phase phase_at(const std::vector<phase_window>& phases, std::int64_t t_ns) noexcept {
  for (const auto& w : phases) {
    if (t_ns < w.end_ns) {
      return w.which;
    }
  }
  return phase::cooldown;
}

}  // namespace gb::plan
