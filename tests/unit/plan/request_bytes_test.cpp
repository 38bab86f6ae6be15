// Requests are pinned byte for byte: for fixed seeds, a wide set of workloads (every dialect,
// every distribution shape, prefixes, mixes, multi-turn sessions, repeats, datasets, prompts
// around the word pool's size, the shipped scenarios) must give exactly the requests they gave
// when the digests below were taken: the same RNG sequence, the same words, the same JSON, the
// same counts and ids. A change to how requests are built that changes a single byte fails here.
// GATEBENCH_DUMP_REQUESTS=DIR writes each case's requests to DIR/<case>.txt (to diff two
// builds when a digest moves).
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "plan/prompt_data.hpp"
#include "plan/workload.hpp"
#include "scenario/parse.hpp"

namespace gb::plan {
namespace {
// Named, so that a unity build (several test files in one translation unit) keeps these
// helpers apart from the other plan tests'.
namespace request_bytes {

using kind = scenario::distribution::kind;

class digest {
 public:
  void add(std::string_view s) {
    for (const char c : s) {
      h_ = (h_ ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    }
    add_int(s.size());
  }
  void add_int(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h_ = (h_ ^ ((v >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
    }
  }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

// How a case drives its factory.
struct drive {
  int requests = 300;
  std::size_t slots = 4;
  int worker = 0;
  int workers = 1;
  bool answer = true;  // gives each request an answer (multi-turn history), failing now and then
};

// Runs `sc` and digests every field of every request (and the answers given).
std::uint64_t run_case(const std::string& name, const scenario::scenario& sc, const drive& dv) {
  auto data = load_prompts(sc);
  EXPECT_TRUE(data) << name << ": " << data.message();
  if (!data) {
    return 0;
  }
  request_factory f(sc, *data, dv.worker, dv.workers);
  prepared_request r;
  digest h;
  std::ofstream dump;
  if (const char* dir = std::getenv("GATEBENCH_DUMP_REQUESTS")) {
    dump.open(std::filesystem::path(dir) / (name + ".txt"));
  }
  for (int i = 0; i < dv.requests; ++i) {
    const std::size_t slot = static_cast<std::size_t>(i * 5 + i / 3) % dv.slots;
    f.next(slot, r);
    h.add(r.body);
    h.add_int(r.target_index);
    h.add_int(static_cast<std::uint64_t>(r.input_tokens));
    h.add_int(static_cast<std::uint64_t>(r.max_tokens));
    h.add_int(static_cast<std::uint64_t>(r.turn));
    h.add_int(static_cast<std::uint64_t>(r.delay_ns));
    h.add_int(r.repeated ? 1 : 0);
    h.add_int(r.request_id);
    if (dump.is_open()) {
      dump << i << " slot=" << slot << " target=" << r.target_index << " in=" << r.input_tokens
           << " max=" << r.max_tokens << " turn=" << r.turn << " delay=" << r.delay_ns
           << " rep=" << r.repeated << " id=" << r.request_id << "\n"
           << r.body << "\n";
    }
    if (dv.answer) {
      const bool ok = i % 13 != 7;
      f.on_response(slot, "answer " + std::to_string(i) + " with \"quotes\"\tand\nlines", ok);
    }
  }
  return h.value();
}

scenario::scenario base() {
  scenario::scenario sc;
  sc.seed = 11;
  sc.workload.stream = false;
  return sc;
}

scenario::target target(std::string name, protocol::dialect d) {
  scenario::target t;
  t.name = std::move(name);
  t.api = d;
  return t;
}

struct pinned {
  std::string name;
  std::function<void(scenario::scenario&, drive&)> setup;
  std::uint64_t want;
};

class temp_files {
 public:
  temp_files()
      : dir_(std::filesystem::temp_directory_path() /
             ("gb-request-bytes-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "lines.txt") << "say \"hi\" to C:\\temp\tnow\nplain words only here\n"
                                      << "caf\xc3\xa9 and \x01 control\n";
    std::ofstream(dir_ / "msgs.jsonl")
        << R"({"messages":[{"role":"system","content":"be terse"},)"
        << R"({"role":"user","content":"what is 2+2?"}]})"
        << "\n"
        << R"({"messages":[{"role":"user","content":"one \"quoted\" line"},)"
        << R"({"role":"assistant","content":"ok"},{"role":"user","content":"again"}]})"
        << "\n";
  }
  ~temp_files() { std::filesystem::remove_all(dir_); }
  std::string path(const char* name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

const std::vector<pinned>& cases(const temp_files& files) {
  using protocol::dialect;
  static const std::vector<pinned> all = {
      {"default", [](auto&, auto&) {}, 0},
      {"stream", [](scenario::scenario& sc, drive&) { sc.workload.stream = true; }, 0},
      {"stream-no-usage",
       [](scenario::scenario& sc, drive&) {
         sc.workload.stream = true;
         sc.workload.include_usage = false;
       },
       0},
      {"uniform-normal",
       [](scenario::scenario& sc, drive&) {
         sc.workload.prompts.input_tokens = {kind::uniform, 0, 0, 1, 200};
         sc.workload.output_tokens = {kind::normal, 100, 30};
       },
       0},
      {"lognormal-clamped",
       [](scenario::scenario& sc, drive&) {
         sc.workload.prompts.input_tokens = {kind::lognormal, 300, 120};
         sc.workload.output_tokens = {kind::lognormal, 200, 80, 20, 400};
       },
       0},
      {"tiny",
       [](scenario::scenario& sc, drive&) {
         sc.workload.prompts.input_tokens = {kind::uniform, 0, 0, 1, 7};
         sc.workload.output_tokens = {kind::fixed, 1};
       },
       0},
      {"around-the-pool",
       [](scenario::scenario& sc, drive& dv) {
         sc.workload.prompts.input_tokens = {kind::uniform, 0, 0, 4090, 4110};
         dv.requests = 60;
       },
       0},
      {"longer-than-the-pool",
       [](scenario::scenario& sc, drive& dv) {
         sc.workload.prompts.input_tokens = {kind::fixed, 9000};
         dv.requests = 6;
       },
       0},
      {"shared-prefix-ignore-eos",
       [](scenario::scenario& sc, drive&) {
         sc.workload.prompts.shared_prefix_tokens = 100;
         sc.workload.prompts.input_tokens = {kind::fixed, 20};
         sc.workload.ignore_eos = true;
         sc.workload.output_tokens = {kind::uniform, 0, 0, 5, 5000};
       },
       0},
      {"multi-turn",
       [](scenario::scenario& sc, drive&) {
         sc.workload.turns = 3;
         sc.workload.think_time_ns = 250'000'000;
         sc.workload.prompts.input_tokens = {kind::uniform, 0, 0, 1, 50};
       },
       0},
      {"repeats",
       [](scenario::scenario& sc, drive& dv) {
         sc.workload.repeat_ratio = 0.3;
         sc.workload.output_tokens = {kind::uniform, 0, 0, 10, 100};
         dv.requests = 600;
       },
       0},
      {"dialects-rotate",
       [](scenario::scenario& sc, drive&) {
         sc.targets = {target("a", dialect::openai_chat), target("b", dialect::anthropic_messages),
                       target("c", dialect::openai_completions),
                       target("d", dialect::openai_embeddings)};
         sc.workload.stream = true;
         sc.workload.prompts.shared_prefix_tokens = 7;
       },
       0},
      {"dialects-system-prompt",
       [](scenario::scenario& sc, drive&) {
         sc.targets = {target("a", dialect::anthropic_messages),
                       target("b", dialect::openai_completions),
                       target("c", dialect::openai_embeddings), target("d", dialect::openai_chat)};
         sc.workload.prompts.system_prompt = "be \"brief\"\nplease";
         sc.workload.turns = 2;
       },
       0},
      {"mix-targets-models",
       [](scenario::scenario& sc, drive&) {
         sc.targets = {target("a", dialect::openai_chat), target("b", dialect::anthropic_messages)};
         scenario::mix_entry e1;
         e1.weight = 3;
         e1.model = "m-big";
         e1.target = "b";
         e1.prompts.input_tokens = {kind::normal, 40, 10};
         scenario::mix_entry e2;
         e2.weight = 1;
         e2.model = "m \"odd\" \\ \xc3\xa9";
         e2.prompts.shared_prefix_tokens = 12;
         scenario::mix_entry e3;
         e3.weight = 2;
         sc.workload.mix = {e1, e2, e3};
         sc.workload.repeat_ratio = 0.2;
       },
       0},
      {"worker-2-of-3-seed",
       [](scenario::scenario& sc, drive& dv) {
         sc.seed = 987654321;
         dv.worker = 2;
         dv.workers = 3;
         dv.slots = 1;
       },
       0},
      {"datasets",
       [&files](scenario::scenario& sc, drive&) {
         sc.workload.prompts.type = scenario::prompt_source::kind::lines;
         sc.workload.prompts.path = files.path("lines.txt");
         sc.workload.prompts.system_prompt = "sys";
         scenario::mix_entry jl;
         jl.weight = 2;
         jl.prompts.type = scenario::prompt_source::kind::jsonl;
         jl.prompts.path = files.path("msgs.jsonl");
         scenario::mix_entry lines;
         lines.weight = 1;
         lines.prompts = sc.workload.prompts;
         scenario::mix_entry synthetic;
         synthetic.weight = 1;
         sc.workload.mix = {jl, lines, synthetic};
         sc.workload.turns = 2;
       },
       0},
  };
  return all;
}

// The digests the requests had when this test was written (before the request path was
// reworked for speed): any change must be deliberate, and then these are updated with it.
TEST(RequestBytes, PinnedWorkloadsGiveTheSameRequests) {
  const temp_files files;
  const std::uint64_t want[] = {
      0xdf7377fda6a1aa7fULL,  // default
      0x6b29d8ec20ca8536ULL,  // stream
      0x2155604fec047f63ULL,  // stream-no-usage
      0xb4a417ad51bbfcd9ULL,  // uniform-normal
      0x78fe82a972c42ef2ULL,  // lognormal-clamped
      0x401f9b1430323f71ULL,  // tiny
      0x1d1cf77169386680ULL,  // around-the-pool
      0x845aa0a8d901f3f7ULL,  // longer-than-the-pool
      0xe56fca783e096b00ULL,  // shared-prefix-ignore-eos
      0xa2a9c0a22997d4f5ULL,  // multi-turn
      0xe29dd6017e44532cULL,  // repeats
      0xaaa3dde3f2561bdeULL,  // dialects-rotate
      0x62f1025b952618f1ULL,  // dialects-system-prompt
      0x9009a5f0f3ae1803ULL,  // mix-targets-models
      0x3bae66e0aeffd1c9ULL,  // worker-2-of-3-seed
      0x1dd21a026f5054a5ULL,  // datasets
  };
  const auto& all = cases(files);
  ASSERT_EQ(all.size(), std::size(want));
  for (std::size_t i = 0; i < all.size(); ++i) {
    auto sc = base();
    drive dv;
    all[i].setup(sc, dv);
    const std::uint64_t got = run_case(all[i].name, sc, dv);
    EXPECT_EQ(got, want[i]) << all[i].name << ": got 0x" << std::hex << got;
  }
}

TEST(RequestBytes, ShippedScenariosGiveTheSameRequests) {
  const char* root = std::getenv("GATEBENCH_SOURCE_ROOT");
  ASSERT_NE(root, nullptr);
  const scenario::env_lookup env = [](std::string_view) -> std::optional<std::string> {
    return std::string("k");
  };
  std::vector<std::filesystem::path> files;
  for (const auto& e :
       std::filesystem::directory_iterator(std::filesystem::path(root) / "scenarios")) {
    if (e.path().extension() == ".yaml") {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  digest all;
  for (const auto& p : files) {
    auto sc = scenario::parse_scenario_file(p.string(), env);
    ASSERT_TRUE(sc) << sc.message();
    drive dv;
    dv.requests = 100;
    all.add(p.filename().string());
    all.add_int(run_case("scenario-" + p.stem().string(), *sc, dv));
  }
  EXPECT_EQ(all.value(), 0x7c64bfee762605b3ULL) << "got 0x" << std::hex << all.value();
}

}  // namespace request_bytes
}  // namespace
}  // namespace gb::plan
