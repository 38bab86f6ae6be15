// Request factories: prompt lengths follow the scenario's distributions, counts match the mock's
// word count, sessions carry their history, repeats replay exactly, and seeds make it all
// reproducible.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include "plan/prompt_data.hpp"
#include "plan/workload.hpp"
#include "scenario/parse.hpp"

namespace gb::plan {
namespace {

using nlohmann::json;

scenario::scenario base() {
  scenario::scenario sc;
  sc.seed = 11;
  sc.workload.stream = false;
  return sc;
}

std::shared_ptr<const prompt_data> load(const scenario::scenario& sc) {
  auto d = load_prompts(sc);
  EXPECT_TRUE(d) << d.message();
  return d ? *d : nullptr;
}

// The mock's count: whitespace-separated words of every message's content.
std::int64_t words_in_body(const std::string& body) {
  const auto j = json::parse(body);
  std::int64_t n = 0;
  for (const auto& m : j["messages"]) {
    n += count_words(m["content"].get<std::string>());
  }
  if (j.contains("system")) {
    n += count_words(j["system"].get<std::string>());
  }
  return n;
}

TEST(RequestFactory, FixedPromptLengthMatchesBodyAndMock) {
  auto sc = base();
  sc.workload.prompts.input_tokens = {scenario::distribution::kind::fixed, 37};
  sc.workload.output_tokens = {scenario::distribution::kind::fixed, 9};
  request_factory f(sc, load(sc), 0, 1);
  prepared_request r;
  for (int i = 0; i < 50; ++i) {
    f.next(0, r);
    EXPECT_EQ(r.input_tokens, 37);
    EXPECT_EQ(words_in_body(r.body), 37);
    EXPECT_EQ(r.max_tokens, 9);
    const auto j = json::parse(r.body);
    EXPECT_EQ(j["model"], "gatebench-mock");
    EXPECT_EQ(j["max_tokens"], 9);
  }
}

struct dist_case {
  scenario::distribution d;
  double mean;
  double stddev;
};

TEST(RequestFactory, PromptLengthsFollowTheDistribution) {
  using kind = scenario::distribution::kind;
  const std::vector<dist_case> cases{
      {{kind::uniform, 0, 0, 10, 30}, 20, std::sqrt((21.0 * 21.0 - 1) / 12.0)},
      {{kind::normal, 200, 30}, 200, 30},
      {{kind::lognormal, 300, 120}, 300, 120},
  };
  for (const auto& c : cases) {
    auto sc = base();
    sc.workload.prompts.input_tokens = c.d;
    request_factory f(sc, load(sc), 0, 1);
    prepared_request r;
    double sum = 0;
    double sum2 = 0;
    std::int64_t lo = 1 << 30;
    std::int64_t hi = 0;
    const int n = 4000;
    for (int i = 0; i < n; ++i) {
      f.next(0, r);
      sum += static_cast<double>(r.input_tokens);
      sum2 += static_cast<double>(r.input_tokens * r.input_tokens);
      lo = std::min(lo, r.input_tokens);
      hi = std::max(hi, r.input_tokens);
    }
    const double mean = sum / n;
    const double sd = std::sqrt(sum2 / n - mean * mean);
    EXPECT_NEAR(mean, c.mean, 0.03 * c.mean) << static_cast<int>(c.d.shape);
    EXPECT_NEAR(sd, c.stddev, 0.08 * c.stddev) << static_cast<int>(c.d.shape);
    if (c.d.shape == kind::uniform) {
      EXPECT_EQ(lo, 10);
      EXPECT_EQ(hi, 30);
    }
  }
}

TEST(RequestFactory, SharedPrefixIsCommonAndCounted) {
  auto sc = base();
  sc.workload.prompts.shared_prefix_tokens = 100;
  sc.workload.prompts.input_tokens = {scenario::distribution::kind::fixed, 20};
  auto data = load(sc);
  request_factory a(sc, data, 0, 2);
  request_factory b(sc, data, 1, 2);
  prepared_request ra;
  prepared_request rb;
  a.next(0, ra);
  b.next(0, rb);
  const auto ja = json::parse(ra.body);
  const auto jb = json::parse(rb.body);
  EXPECT_EQ(ja["messages"][0]["role"], "system");
  EXPECT_EQ(ja["messages"][0]["content"], jb["messages"][0]["content"]);
  EXPECT_NE(ja["messages"][1]["content"], jb["messages"][1]["content"]);
  EXPECT_EQ(ra.input_tokens, 120);
  EXPECT_EQ(words_in_body(ra.body), 120);
}

TEST(RequestFactory, IgnoreEosSendsMinTokens) {
  auto sc = base();
  sc.workload.ignore_eos = true;
  sc.workload.output_tokens = {scenario::distribution::kind::fixed, 33};
  request_factory f(sc, load(sc), 0, 1);
  prepared_request r;
  f.next(0, r);
  const auto j = json::parse(r.body);
  EXPECT_EQ(j["max_tokens"], 33);
  EXPECT_EQ(j["min_tokens"], 33);
  EXPECT_EQ(j["ignore_eos"], true);
}

TEST(RequestFactory, MultiTurnHistoryGrows) {
  auto sc = base();
  sc.workload.turns = 3;
  sc.workload.think_time_ns = 250'000'000;
  sc.workload.prompts.input_tokens = {scenario::distribution::kind::fixed, 5};
  request_factory f(sc, load(sc), 0, 1);
  prepared_request r;
  std::vector<std::string> users;
  for (int turn = 0; turn < 3; ++turn) {
    f.next(4, r);
    EXPECT_EQ(r.turn, turn);
    EXPECT_EQ(r.delay_ns, turn == 0 ? 0 : 250'000'000);
    const auto j = json::parse(r.body);
    const auto& msgs = j["messages"];
    ASSERT_EQ(msgs.size(), static_cast<std::size_t>(2 * turn + 1));
    for (int k = 0; k < turn; ++k) {
      EXPECT_EQ(msgs[2 * k]["role"], "user");
      EXPECT_EQ(msgs[2 * k]["content"], users[k]);
      EXPECT_EQ(msgs[2 * k + 1]["role"], "assistant");
      EXPECT_EQ(msgs[2 * k + 1]["content"], "answer number " + std::to_string(k));
    }
    users.push_back(msgs.back()["content"].get<std::string>());
    EXPECT_EQ(r.input_tokens, words_in_body(r.body));
    f.on_response(4, "answer number " + std::to_string(turn), true);
  }
  f.next(4, r);  // a new session
  EXPECT_EQ(r.turn, 0);
  EXPECT_EQ(json::parse(r.body)["messages"].size(), 1u);
  f.on_response(4, "", false);  // a failed turn ends the session
  f.next(4, r);
  EXPECT_EQ(r.turn, 0);
}

TEST(RequestFactory, InterleavedSessionsKeepTheirOwnHistory) {
  // Slots run multi-turn sessions side by side and start new ones as old ones end, so texts
  // of ended sessions are reused for new ones: every body must still carry exactly its own
  // session's history.
  auto sc = base();
  sc.workload.turns = 3;
  sc.workload.prompts.input_tokens = {scenario::distribution::kind::uniform, 0, 0, 1, 200};
  request_factory f(sc, load(sc), 0, 1);
  constexpr std::size_t slots = 5;
  std::vector<std::vector<std::string>> history(slots);  // the test's own record per slot
  prepared_request r;
  for (int i = 0; i < 600; ++i) {
    const std::size_t slot = static_cast<std::size_t>(i * 7 + i / 3) % slots;
    f.next(slot, r);
    if (r.turn == 0) {
      history[slot].clear();
    }
    const auto msgs = json::parse(r.body)["messages"];
    ASSERT_EQ(msgs.size(), history[slot].size() + 1) << "request " << i;
    for (std::size_t k = 0; k < history[slot].size(); ++k) {
      EXPECT_EQ(msgs[k]["content"], history[slot][k]) << "request " << i << " message " << k;
    }
    EXPECT_EQ(r.input_tokens, words_in_body(r.body));
    history[slot].push_back(msgs.back()["content"].get<std::string>());
    const std::string answer = "answer " + std::to_string(i) + " \"quoted\"\n";
    f.on_response(slot, answer, i % 17 != 0);  // now and then a failed turn ends a session
    if (i % 17 == 0) {
      history[slot].clear();
    } else {
      history[slot].push_back(answer);
    }
  }
}

TEST(RequestFactory, DatasetTextsNeedingEscapesAreEscaped) {
  // Records are sent from the loaded data, not copied: quotes, backslashes and controls must
  // still reach the body escaped, next to plain synthetic prompts of a mix.
  const auto dir =
      std::filesystem::temp_directory_path() / ("gb-workload-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "prompts.txt";
  {
    std::ofstream out(file);
    out << "say \"hi\" to C:\\temp\tnow\n";
  }
  auto sc = base();
  sc.workload.prompts.type = scenario::prompt_source::kind::lines;
  sc.workload.prompts.path = file.string();
  sc.workload.prompts.system_prompt = "be \"brief\"";
  scenario::mix_entry synthetic;
  synthetic.weight = 1;
  sc.workload.mix = {scenario::mix_entry{1, "", "", sc.workload.prompts}, synthetic};
  request_factory f(sc, load(sc), 0, 1);
  prepared_request r;
  int from_file = 0;
  for (int i = 0; i < 40; ++i) {
    f.next(0, r);
    const auto msgs = json::parse(r.body)["messages"];
    if (msgs.size() == 2) {
      ++from_file;
      EXPECT_EQ(msgs[0]["content"], "be \"brief\"");
      EXPECT_EQ(msgs[1]["content"], "say \"hi\" to C:\\temp\tnow");
    } else {
      ASSERT_EQ(msgs.size(), 1u);
      EXPECT_EQ(r.input_tokens, 64);  // the synthetic default
    }
    EXPECT_EQ(r.input_tokens, words_in_body(r.body));
  }
  EXPECT_GT(from_file, 0);
  EXPECT_LT(from_file, 40);
  std::filesystem::remove_all(dir);
}

TEST(RequestFactory, RepeatRatioReplaysEarlierPromptsExactly) {
  auto sc = base();
  sc.workload.repeat_ratio = 0.3;
  sc.workload.output_tokens = {scenario::distribution::kind::uniform, 0, 0, 10, 100};
  request_factory f(sc, load(sc), 0, 1);
  prepared_request r;
  std::set<std::string> seen;
  int repeats = 0;
  const int n = 5000;
  for (int i = 0; i < n; ++i) {
    f.next(0, r);
    if (r.repeated) {
      ++repeats;
      EXPECT_TRUE(seen.count(r.body) == 1) << "a repeat must equal an earlier body";
    } else {
      EXPECT_TRUE(seen.insert(r.body).second) << "fresh prompts are unique";
    }
  }
  EXPECT_NEAR(static_cast<double>(repeats) / n, 0.3, 0.03);
}

TEST(RequestFactory, MixWeightsModelsAndTargets) {
  auto sc = base();
  sc.targets = {scenario::target{}, scenario::target{}};
  sc.targets[0].name = "a";
  sc.targets[1].name = "b";
  sc.targets[1].api = protocol::dialect::anthropic_messages;
  scenario::mix_entry e1;
  e1.weight = 3;
  e1.model = "m-big";
  e1.target = "b";
  scenario::mix_entry e2;
  e2.weight = 1;
  e2.model = "m-small";
  sc.workload.mix = {e1, e2};
  request_factory f(sc, load(sc), 0, 1);
  prepared_request r;
  int big = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    f.next(0, r);
    const auto j = json::parse(r.body);
    if (j["model"] == "m-big") {
      ++big;
      EXPECT_EQ(r.target_index, 1u);
    }
  }
  EXPECT_NEAR(static_cast<double>(big) / n, 0.75, 0.03);
}

// Model names are checked once per mix entry: a plain one is copied, one needing escapes is
// escaped, also when a repeat replays an earlier request of its entry.
TEST(RequestFactory, ModelNamesNeedingEscapesAreEscapedAlsoInRepeats) {
  auto sc = base();
  sc.workload.repeat_ratio = 0.5;
  scenario::mix_entry plain;
  plain.weight = 1;
  plain.model = "m-plain";
  scenario::mix_entry odd;
  odd.weight = 1;
  odd.model = "m \"odd\" \\ \xc3\xa9";
  sc.workload.mix = {plain, odd};
  request_factory f(sc, load(sc), 0, 1);
  prepared_request r;
  std::set<std::string> models;
  int repeats = 0;
  for (int i = 0; i < 400; ++i) {
    f.next(0, r);
    repeats += r.repeated ? 1 : 0;
    const auto j = json::parse(r.body);  // throws on a body the escaping broke
    models.insert(j["model"].get<std::string>());
  }
  EXPECT_EQ(models, (std::set<std::string>{plain.model, odd.model}));
  EXPECT_GT(repeats, 100);
}

TEST(RequestFactory, InSessionAndEndSessionTrackTheTurnsLeft) {
  auto sc = base();
  sc.workload.turns = 3;
  sc.workload.prompts.input_tokens = {scenario::distribution::kind::fixed, 4};
  request_factory f(sc, load(sc), 0, 1);
  prepared_request r;
  EXPECT_FALSE(f.in_session(2));  // never used
  // A full session: in session until its last turn was sent.
  for (int turn = 0; turn < 3; ++turn) {
    f.next(2, r);
    EXPECT_EQ(r.turn, turn);
    f.on_response(2, "ok", true);
    EXPECT_EQ(f.in_session(2), turn < 2) << turn;
  }
  // A failed turn ends it.
  f.next(2, r);
  EXPECT_EQ(r.turn, 0);
  EXPECT_TRUE(f.in_session(2));
  f.on_response(2, "", false);
  EXPECT_FALSE(f.in_session(2));
  // end_session cuts it short: the next request starts a new session.
  f.next(2, r);
  f.on_response(2, "ok", true);
  EXPECT_TRUE(f.in_session(2));
  f.end_session(2);
  EXPECT_FALSE(f.in_session(2));
  f.next(2, r);
  EXPECT_EQ(r.turn, 0);
  EXPECT_EQ(json::parse(r.body)["messages"].size(), 1u);
  f.end_session(99);  // an unknown slot is ignored
  // Single-turn workloads are never "in session" after their request.
  auto one = base();
  request_factory g(one, load(one), 0, 1);
  g.next(0, r);
  g.on_response(0, "ok", true);
  EXPECT_FALSE(g.in_session(0));
}

TEST(RequestFactory, RequestIdsContinueFromASetSequence) {
  auto sc = base();
  auto data = load(sc);
  struct row {
    int worker;
    std::uint64_t first;
    std::uint64_t want_low;  // low 48 bits of the first id
  };
  const row rows[] = {{0, 1, 1},
                      {1, 1, 1},
                      {0, 500, 500},
                      {3, 1000, 1000},
                      {2, (std::uint64_t{1} << 48) + 5, 5}};  // wraps within the 48 bits
  for (const auto& rw : rows) {
    request_factory f(sc, data, rw.worker, 4);
    f.set_next_sequence(rw.first);
    EXPECT_EQ(f.next_sequence(), rw.first);
    prepared_request r;
    f.next(0, r);
    EXPECT_EQ(r.request_id >> 48, static_cast<std::uint64_t>(rw.worker));
    EXPECT_EQ(r.request_id & ((std::uint64_t{1} << 48) - 1), rw.want_low);
    f.next(1, r);
    EXPECT_EQ(r.request_id & ((std::uint64_t{1} << 48) - 1), rw.want_low + 1);
    EXPECT_EQ(f.next_sequence(), rw.first + 2);
  }
  // Two consecutive runs (a sweep's points): the second continues where the first stopped, so
  // no id repeats.
  std::set<std::uint64_t> ids;
  std::uint64_t next = 1;
  for (int point = 0; point < 3; ++point) {
    request_factory f(sc, data, 0, 1);
    f.set_next_sequence(next);
    prepared_request r;
    for (int i = 0; i < 50; ++i) {
      f.next(static_cast<std::size_t>(i % 4), r);
      EXPECT_TRUE(ids.insert(r.request_id).second);
    }
    next = f.next_sequence();
  }
  EXPECT_EQ(ids.size(), 150u);
}

TEST(RequestFactory, DeterministicForASeedAndIdsUnique) {
  auto sc = base();
  sc.workload.prompts.input_tokens = {scenario::distribution::kind::normal, 50, 10};
  auto data = load(sc);
  auto run = [&](std::uint64_t seed, int index) {
    auto s = sc;
    s.seed = seed;
    request_factory f(s, data, index, 2);
    prepared_request r;
    std::vector<std::string> bodies;
    for (int i = 0; i < 20; ++i) {
      f.next(static_cast<std::size_t>(i % 3), r);
      bodies.push_back(r.body);
    }
    return bodies;
  };
  EXPECT_EQ(run(5, 0), run(5, 0));
  EXPECT_NE(run(5, 0), run(6, 0));
  EXPECT_NE(run(5, 0), run(5, 1));

  std::set<std::uint64_t> ids;
  for (int w = 0; w < 3; ++w) {
    request_factory f(sc, data, w, 3);
    prepared_request r;
    for (int i = 0; i < 100; ++i) {
      f.next(0, r);
      EXPECT_TRUE(ids.insert(r.request_id).second);
    }
  }
}

TEST(RequestFactory, EmbeddingsCarryNoMaxTokens) {
  auto sc = base();
  sc.targets[0].api = protocol::dialect::openai_embeddings;
  request_factory f(sc, load(sc), 0, 1);
  prepared_request r;
  f.next(0, r);
  const auto j = json::parse(r.body);
  EXPECT_FALSE(j.contains("max_tokens"));
  EXPECT_EQ(r.max_tokens, 0);
  EXPECT_EQ(count_words(j["input"].get<std::string>()), r.input_tokens);
}

// Every shipped scenario loads its prompts and builds requests whose own token count equals the
// mock's count of the body (whitespace-separated words of the messages, prompt or input).
TEST(RequestFactory, ShippedScenariosBuildConsistentRequests) {
  const char* root = std::getenv("GATEBENCH_SOURCE_ROOT");
  ASSERT_NE(root, nullptr);
  const scenario::env_lookup env = [](std::string_view) -> std::optional<std::string> {
    return std::string("k");
  };
  int n = 0;
  for (const auto& e :
       std::filesystem::directory_iterator(std::filesystem::path(root) / "scenarios")) {
    if (e.path().extension() != ".yaml") {
      continue;
    }
    auto sc = scenario::parse_scenario_file(e.path().string(), env);
    ASSERT_TRUE(sc) << sc.message();
    auto data = load_prompts(*sc);
    ASSERT_TRUE(data) << data.message();
    request_factory f(*sc, *data, 0, 1);
    prepared_request r;
    for (int i = 0; i < 20; ++i) {
      f.next(static_cast<std::size_t>(i % 4), r);
      const auto j = json::parse(r.body);
      std::int64_t words = 0;
      if (j.contains("messages")) {
        words = words_in_body(r.body);
      } else if (j.contains("prompt")) {
        words = count_words(j["prompt"].get<std::string>());
      } else {
        words = count_words(j["input"].get<std::string>());
      }
      EXPECT_EQ(r.input_tokens, words) << e.path() << ": " << r.body.substr(0, 200);
      f.on_response(static_cast<std::size_t>(i % 4), "an answer of six words here", true);
    }
    ++n;
  }
  EXPECT_GE(n, 11);
}

}  // namespace
}  // namespace gb::plan
