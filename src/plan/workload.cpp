#include "plan/workload.hpp"

#include <algorithm>
#include <cstring>

#include "plan/prompt_data.hpp"
#include "plan/rng.hpp"
#include "plan/sampling.hpp"
#include "protocol/request_builder.hpp"

namespace gb::plan {

namespace {

constexpr std::uint64_t prefix_stream = 0x707265666978ULL;  // "prefix": shared by all workers
constexpr std::size_t repeat_pool_size = 1024;              // earlier prompts kept for repeats
constexpr std::uint64_t sequence_mask = (std::uint64_t{1} << 48) - 1;  // below the worker index

// Appends n random vocabulary words, space-separated (and separated from what `out` holds).
// The words gather in a local buffer first: one append per few hundred bytes instead of two
// out-of-line string calls per word.
void append_words(const std::vector<std::string>& vocab, std::int64_t n, rng& r, std::string& out) {
  char buf[512];
  std::size_t len = 0;
  bool sep = !out.empty();
  for (std::int64_t i = 0; i < n; ++i) {
    const std::string& w = vocab[r.below(vocab.size())];
    if (len + 1 + w.size() > sizeof buf) {
      out.append(buf, len);
      len = 0;
      if (1 + w.size() > sizeof buf) {  // a word longer than the buffer: straight in
        if (sep) {
          out.push_back(' ');
        }
        out.append(w);
        sep = true;
        continue;
      }
    }
    if (sep) {
      buf[len++] = ' ';
    }
    sep = true;
    std::memcpy(buf + len, w.data(), w.size());
    len += w.size();
  }
  out.append(buf, len);
}

constexpr std::uint64_t pool_stream = 0x706f6f6cULL;  // "pool"
constexpr std::size_t pool_words = 1 << 12;           // ~28 KB of text: stays in cache
constexpr std::int64_t random_head_words = 4;         // drawn word by word: prompts stay distinct

// The head words of a synthetic text of n words whose first word starts it (what
// append_words(vocabulary, min(n, random_head_words), r, out) appends to an empty `out`, with
// the same draws) into `buf`, from the word slots (not empty): one 16-byte copy per word.
constexpr std::size_t head_buffer_size = 16 * (random_head_words + 1);
[[gnu::always_inline]] inline std::string_view draw_head_words(
    const prompt_data& d, std::int64_t n, rng& r, char (&buf)[head_buffer_size]) noexcept {
  const std::int64_t head = std::min(n, random_head_words);
  const std::size_t count = d.word_slots.size();
  // All draws first: the generator's state stays in registers (no byte store in between that
  // might alias it).
  std::uint64_t drawn[random_head_words];
  for (std::int64_t i = 0; i < head; ++i) {
    drawn[i] = r.below(count);
  }
  char* p = buf;
  for (std::int64_t i = 0; i < head; ++i) {
    const prompt_data::word_slot& w = d.word_slots[drawn[i]];
    std::memcpy(p, w.bytes, sizeof w.bytes);
    p += 1 + static_cast<unsigned char>(w.bytes[15]);
  }
  return p == buf ? std::string_view()
                  : std::string_view(buf + 1, static_cast<std::size_t>(p - buf - 1));
}

// A synthetic text of exactly n words: a few random words in `out`, then runs of the pool at
// random offsets. When one run completes the text (shorter than the pool, the common case), the
// run is not copied: `tail` views it in the pool, with the space that joins it to `out`, and the
// text is out + tail. Longer texts are copied into `out` whole (`tail` empty).
void append_synthetic(const prompt_data& d, std::int64_t n, rng& r, std::string& out,
                      std::string_view& tail) {
  tail = {};
  const std::int64_t head = std::min(n, random_head_words);
  if (out.empty() && !d.word_slots.empty()) {
    char buf[head_buffer_size];
    out.append(draw_head_words(d, head, r, buf));  // the same words and draws, cheaper
  } else {
    append_words(d.vocabulary, head, r, out);
  }
  std::int64_t left = n - head;
  const auto pool_n = static_cast<std::int64_t>(d.word_starts.size()) - 1;
  if (left > 0 && left < pool_n && !out.empty()) {
    // A run starting at word 1 or later: the pool's space before it is the separator.
    const auto first = 1 + r.below(static_cast<std::uint64_t>(pool_n - left));
    const std::uint32_t from = d.word_starts[first] - 1;
    const std::uint32_t to = d.word_starts[first + static_cast<std::uint64_t>(left)] - 1;
    tail = std::string_view(d.word_pool).substr(from, to - from);
    return;
  }
  while (left > 0) {
    const std::int64_t take = std::min(left, pool_n);
    const auto first = r.below(static_cast<std::uint64_t>(pool_n - take + 1));
    const std::uint32_t from = d.word_starts[first];
    const std::uint32_t to = d.word_starts[first + static_cast<std::uint64_t>(take)] - 1;
    if (!out.empty()) {
      out.push_back(' ');
    }
    out.append(d.word_pool, from, to - from);
    left -= take;
  }
}

}  // namespace

result<std::shared_ptr<const prompt_data>> load_prompts(const scenario::scenario& sc) {
  auto data = std::make_shared<prompt_data>();
  data->vocabulary = default_vocabulary();
  rng pool_rng(sc.seed, pool_stream);
  data->word_starts.reserve(pool_words + 1);
  for (std::size_t i = 0; i < pool_words; ++i) {
    data->word_starts.push_back(static_cast<std::uint32_t>(data->word_pool.size()));
    data->word_pool += data->vocabulary[pool_rng.below(data->vocabulary.size())];
    data->word_pool.push_back(' ');
  }
  data->word_starts.push_back(static_cast<std::uint32_t>(data->word_pool.size()));
  // The pool is vocabulary words and spaces: plain when every word is.
  data->vocabulary_plain =
      std::all_of(data->vocabulary.begin(), data->vocabulary.end(),
                  [](const std::string& w) { return protocol::json_plain(w); });
  if (std::all_of(data->vocabulary.begin(), data->vocabulary.end(),
                  [](const std::string& w) { return !w.empty() && w.size() <= 14; })) {
    for (const std::string& w : data->vocabulary) {
      prompt_data::word_slot slot{};
      slot.bytes[0] = ' ';
      std::memcpy(slot.bytes + 1, w.data(), w.size());
      slot.bytes[15] = static_cast<char>(w.size());
      data->word_slots.push_back(slot);
    }
  }
  std::vector<const scenario::prompt_source*> sources{&sc.workload.prompts};
  for (const auto& e : sc.workload.mix) {
    sources.push_back(&e.prompts);
  }
  rng prefix_rng(sc.seed, prefix_stream);
  for (const auto* src : sources) {
    prompt_set set;
    if (src->type != scenario::prompt_source::kind::synthetic) {
      auto loaded = load_prompt_file(*src);
      if (!loaded) {
        return loaded.err();
      }
      set = std::move(*loaded);
    }
    set.source = *src;
    if (!src->system_prompt.empty()) {
      set.shared_prefix = src->system_prompt;
    } else if (src->shared_prefix_tokens > 0) {
      append_words(data->vocabulary, src->shared_prefix_tokens, prefix_rng, set.shared_prefix);
    }
    set.shared_prefix_words = count_words(set.shared_prefix);
    set.shared_prefix_plain = protocol::json_plain(set.shared_prefix);
    data->sources.push_back(std::move(set));
  }
  return std::shared_ptr<const prompt_data>(std::move(data));
}

namespace {

// One message of a session's history, with its word count (counted once, when added). Texts of
// prompt_data (immutable, shared by the factory) are pointed to, not copied.
struct message {
  std::string_view role;                // static strings only
  std::string owned;                    // the text, unless `shared` is set
  const std::string* shared = nullptr;  // the text, in prompt_data
  std::string_view more;                // the text goes on with this (in prompt_data's pool)
  std::int64_t words = 0;
  bool plain = false;  // protocol::json_plain(text()) and json_plain(more) are known to hold

  std::string_view text() const noexcept {
    return shared != nullptr ? std::string_view(*shared) : std::string_view(owned);
  }
};

std::string_view role_name(std::string_view role) {
  if (role == "system") {
    return "system";
  }
  return role == "assistant" ? "assistant" : "user";
}

// A message pointing to `text` of prompt_data.
message shared_message(std::string_view role, const std::string& text) {
  return message{role, {}, &text, {}, count_words(text), false};
}

struct session {
  bool active = false;
  bool awaiting = false;  // a request was sent; its answer not yet given
  bool repeated = false;  // replays an earlier first turn exactly
  std::int64_t repeat_max_tokens = 0;
  std::size_t source = 0;
  const prompt_record* record = nullptr;
  std::size_t target = 0;
  const std::string* model = nullptr;
  bool model_plain = false;  // protocol::json_plain(*model), known from its entry
  std::int64_t turn = 0;     // turns sent so far
  std::int64_t turns = 1;    // session length
  std::vector<message> history;
};

struct remembered {
  std::size_t target = 0;
  const std::string* model = nullptr;
  bool model_plain = false;
  std::vector<message> history;
  std::int64_t max_tokens = 0;
};

}  // namespace

struct request_factory::impl {
  struct entry {
    double cumulative_weight;
    const std::string* model;
    std::size_t source;
    long target;       // -1: rotate over the targets
    bool model_plain;  // protocol::json_plain(*model): the name is copied without escaping
    // Single-turn synthetic entries (make_templates): a body template per target, else empty.
    struct target_body {
      protocol::body_template body;
      bool embeddings;  // the target's dialect sends no max_tokens
    };
    std::vector<target_body> bodies = {};
    std::int64_t input_fixed = -1;  // the prompt's length when it is fixed, else -1
    std::int64_t prefix_words = 0;  // words of the source's shared prefix
  };

  impl(const scenario::scenario& sc, std::shared_ptr<const prompt_data> d, int idx, int cnt)
      : work(sc.workload),
        data(std::move(d)),
        index(idx),
        r(sc.seed, static_cast<std::uint64_t>(idx)) {
    for (const auto& t : sc.targets) {
      dialects.push_back(t.api);
    }
    const std::size_t n_targets = std::max<std::size_t>(1, dialects.size());
    next_target = static_cast<std::size_t>(std::max(0, idx)) % n_targets;
    (void)cnt;  // workers draw independent streams; the count needs no per-worker split here
    if (work.mix.empty()) {
      entries.push_back({1.0, &work.model, 0, -1, protocol::json_plain(work.model)});
    } else {
      double sum = 0;
      for (std::size_t i = 0; i < work.mix.size(); ++i) {
        const auto& e = work.mix[i];
        sum += e.weight;
        long target = -1;
        for (std::size_t t = 0; t < sc.targets.size(); ++t) {
          if (!e.target.empty() && sc.targets[t].name == e.target) {
            target = static_cast<long>(t);
          }
        }
        const std::string* model = e.model.empty() ? &work.model : &e.model;
        entries.push_back({sum, model, i + 1, target, protocol::json_plain(*model)});
      }
    }
    output_fixed = fixed_count(work.output_tokens);
    single_fresh = work.turns == 1 && !(work.repeat_ratio > 0);
    for (entry& e : entries) {
      make_templates(e);
    }
  }

  // A count drawn from `d` when it needs no draw (fixed), else -1.
  static std::int64_t fixed_count(const scenario::distribution& d) {
    if (d.shape != scenario::distribution::kind::fixed) {
      return -1;
    }
    rng unused(0);
    return sample_count(d, unused);  // fixed: draws nothing
  }

  // Single-turn sessions of a synthetic source are all alike but for the prompt's words and the
  // counts: their bodies are made from a template per target (protocol::body_template) instead
  // of through a session's history, with exactly the draws and bytes of that path.
  void make_templates(entry& e) {
    const prompt_set& set = data->sources[e.source];
    if (!single_fresh || !set.records.empty() || !data->vocabulary_plain) {
      return;
    }
    e.input_fixed = fixed_count(set.source.input_tokens);
    const std::size_t n_targets = std::max<std::size_t>(1, dialects.size());
    for (std::size_t t = 0; t < n_targets; ++t) {
      const protocol::dialect d = dialects.empty() ? protocol::dialect::openai_chat : dialects[t];
      std::vector<protocol::chat_message> msgs;
      if (!set.shared_prefix.empty()) {
        msgs.push_back({"system", set.shared_prefix, set.shared_prefix_plain, {}});
      }
      msgs.push_back({"user", {}, true, {}});
      protocol::request_spec spec;
      spec.model = *e.model;
      spec.model_plain = e.model_plain;
      spec.messages = msgs;
      spec.stream = work.stream && protocol::can_stream(d);
      spec.include_usage = work.include_usage;
      const std::int64_t count = output_fixed >= 0 ? output_fixed : 1;
      spec.max_tokens = d == protocol::dialect::openai_embeddings ? -1 : count;
      spec.ignore_eos = work.ignore_eos;
      spec.min_tokens = work.ignore_eos ? count : -1;
      e.bodies.push_back({protocol::body_template(d, spec, msgs.size() - 1, output_fixed < 0),
                          d == protocol::dialect::openai_embeddings});
    }
    e.prefix_words = set.shared_prefix_words;
  }

  scenario::workload work;
  std::shared_ptr<const prompt_data> data;
  int index;
  rng r;
  std::uint64_t sequence = 1;  // the next request's id within this worker (low 48 bits)
  std::vector<protocol::dialect> dialects;
  std::vector<entry> entries;
  std::size_t next_target = 0;
  std::vector<session> slots;
  std::vector<remembered> pool;  // earlier first turns, for repeat_ratio
  std::size_t pool_next = 0;
  std::vector<protocol::chat_message> scratch;
  std::int64_t output_fixed = -1;  // max_tokens when fixed (no draw), else -1
  bool single_fresh = false;       // every request starts a new single-turn session, no repeats
  std::string text;                // a templated request's head words (or whole long prompt)
  std::vector<std::string> spare;  // emptied texts of ended sessions: reused, not reallocated

  // Clears `history`, keeping its capacity and its texts' buffers for reuse.
  void recycle(std::vector<message>& history) {
    constexpr std::size_t k_max_spare = 256;
    for (message& msg : history) {
      if (msg.owned.capacity() > 0 && spare.size() < k_max_spare) {
        spare.push_back(std::move(msg.owned));
      }
    }
    history.clear();
  }

  // An empty string, with a buffer from an ended session when there is one.
  std::string take_spare() {
    if (spare.empty()) {
      return {};
    }
    std::string out = std::move(spare.back());
    spare.pop_back();
    out.clear();
    return out;
  }

  const entry& pick_entry() {
    if (entries.size() == 1) {
      return entries.front();
    }
    const double x = r.uniform() * entries.back().cumulative_weight;
    for (const auto& e : entries) {
      if (x < e.cumulative_weight) {
        return e;
      }
    }
    return entries.back();
  }

  void next_templated(session& s, const entry& e, prepared_request& out);

  std::size_t pick_target(const entry& e) {
    if (e.target >= 0) {
      return static_cast<std::size_t>(e.target);
    }
    const std::size_t t = next_target;
    if (++next_target >= dialects.size()) {  // (no division per request)
      next_target = 0;
    }
    return t;
  }

  // The user message of the next turn of session `s`.
  message user_message(const session& s) {
    if (s.record != nullptr) {
      return shared_message("user", s.record->user_turns[static_cast<std::size_t>(s.turn)]);
    }
    const prompt_set& set = data->sources[s.source];
    message msg{"user",
                take_spare(),
                nullptr,
                {},
                sample_count(set.source.input_tokens, r),
                data->vocabulary_plain};
    append_synthetic(*data, msg.words, r, msg.owned, msg.more);
    return msg;
  }

  // Session `s` begins anew (its history emptied, keeping its buffers).
  void reset(session& s) {
    recycle(s.history);
    std::vector<message> history = std::move(s.history);  // keeps its capacity
    s = session{};
    s.history = std::move(history);
    s.active = true;
  }

  void start(session& s) {
    reset(s);
    if (work.repeat_ratio > 0 && !pool.empty() && r.uniform() < work.repeat_ratio) {
      const remembered& m = pool[r.below(pool.size())];
      s.target = m.target;
      s.model = m.model;
      s.model_plain = m.model_plain;
      s.history = m.history;
      s.turns = 1;
      s.repeated = true;
      s.repeat_max_tokens = m.max_tokens;
      return;
    }
    begin(s, pick_entry());
  }

  // Session `s` (reset) takes entry `e`.
  void begin(session& s, const entry& e) {
    s.source = e.source;
    s.model = e.model;
    s.model_plain = e.model_plain;
    s.target = pick_target(e);
    s.turns = work.turns;
    const prompt_set& set = data->sources[s.source];
    if (!set.records.empty()) {
      s.record = &set.records[r.below(set.records.size())];
      s.turns = std::min<std::int64_t>(work.turns,
                                       static_cast<std::int64_t>(s.record->user_turns.size()));
    }
    if (!set.shared_prefix.empty()) {
      s.history.push_back(message{
          "system", {}, &set.shared_prefix, {}, set.shared_prefix_words, set.shared_prefix_plain});
    } else if (s.record != nullptr && !s.record->system.empty()) {
      s.history.push_back(shared_message("system", s.record->system));
    }
  }
};

// The request of a new single-turn session of entry `e` (single_fresh, e.bodies set): the draws
// and bytes of the general path (start, begin, user_message, then the output count), the body
// from the entry's template for the target.
void request_factory::impl::next_templated(session& s, const entry& e, prepared_request& out) {
  if (!s.history.empty()) {
    recycle(s.history);
  }
  const std::size_t t = pick_target(e);
  const prompt_set& set = data->sources[e.source];
  const std::int64_t words =
      e.input_fixed >= 0 ? e.input_fixed : sample_count(set.source.input_tokens, r);
  // What append_synthetic gives (and draws), the head words gathered in a local buffer when
  // one pool run completes the text (the common case), else built in `text`.
  const auto pool_n = static_cast<std::int64_t>(data->word_starts.size()) - 1;
  char head[head_buffer_size];
  std::string_view first;
  std::string_view more;
  if (!data->word_slots.empty() && words - random_head_words < pool_n) {
    first = draw_head_words(*data, words, r, head);
    const std::int64_t left = words - std::min(words, random_head_words);
    if (left > 0) {
      const auto at = 1 + r.below(static_cast<std::uint64_t>(pool_n - left));
      const std::uint32_t from = data->word_starts[at] - 1;
      const std::uint32_t to = data->word_starts[at + static_cast<std::uint64_t>(left)] - 1;
      more = std::string_view(data->word_pool).substr(from, to - from);
    }
  } else {
    text.clear();
    append_synthetic(*data, words, r, text, more);
    first = text;
  }
  const std::int64_t max_tokens =
      output_fixed >= 0 ? output_fixed : sample_count(work.output_tokens, r);
  e.bodies[t].body.fill(first, more, max_tokens, max_tokens, out.body);

  s.active = true;
  s.awaiting = true;
  s.repeated = false;
  s.repeat_max_tokens = 0;
  s.source = e.source;
  s.record = nullptr;
  s.target = t;
  s.model = e.model;
  s.model_plain = e.model_plain;
  s.turn = 1;  // sent
  s.turns = 1;

  out.target_index = t;
  out.input_tokens = e.prefix_words + words;
  out.max_tokens = e.bodies[t].embeddings ? 0 : max_tokens;
  out.turn = 0;
  out.request_id = (static_cast<std::uint64_t>(index) << 48) | (sequence & sequence_mask);
  ++sequence;
}

request_factory::request_factory(const scenario::scenario& sc,
                                 std::shared_ptr<const prompt_data> data, int index, int count)
    : impl_(std::make_unique<impl>(sc, std::move(data), index, count)) {}

request_factory::~request_factory() = default;
request_factory::request_factory(request_factory&&) noexcept = default;
request_factory& request_factory::operator=(request_factory&&) noexcept = default;

void request_factory::next(std::size_t slot, prepared_request& out) {
  impl& m = *impl_;
  if (slot >= m.slots.size()) {
    m.slots.resize(slot + 1);
  }
  session& s = m.slots[slot];
  out.repeated = false;
  out.delay_ns = 0;
  if (!s.active || s.turn >= s.turns) {
    if (m.single_fresh) {
      const impl::entry& e = m.pick_entry();
      if (!e.bodies.empty()) {
        m.next_templated(s, e, out);
        return;
      }
      m.reset(s);
      m.begin(s, e);
    } else {
      m.start(s);
    }
    out.repeated = s.repeated;
  }
  std::int64_t max_tokens = 0;
  if (out.repeated) {
    max_tokens = s.repeat_max_tokens;
  } else {
    if (s.turn > 0) {
      out.delay_ns = m.work.think_time_ns;
    }
    const bool exact = s.turn == 0 && s.turns == 1 && s.record != nullptr &&
                       !s.record->messages.empty() &&
                       m.data->sources[s.source].shared_prefix.empty();
    if (exact) {
      m.recycle(s.history);
      for (const auto& [role, content] : s.record->messages) {
        s.history.push_back(shared_message(role_name(role), content));
      }
    } else {
      s.history.push_back(m.user_message(s));
    }
    max_tokens = sample_count(m.work.output_tokens, m.r);
  }
  s.awaiting = true;

  m.scratch.clear();
  std::int64_t input_tokens = 0;
  for (const message& msg : s.history) {
    m.scratch.push_back({msg.role, msg.text(), msg.plain, msg.more});
    input_tokens += msg.words;
  }
  const protocol::dialect d =
      m.dialects.empty() ? protocol::dialect::openai_chat : m.dialects[s.target];
  protocol::request_spec spec;
  spec.model = *s.model;
  spec.model_plain = s.model_plain;
  spec.messages = m.scratch;
  spec.stream = m.work.stream && protocol::can_stream(d);
  spec.include_usage = m.work.include_usage;
  spec.max_tokens = d == protocol::dialect::openai_embeddings ? -1 : max_tokens;
  spec.ignore_eos = m.work.ignore_eos;
  spec.min_tokens = m.work.ignore_eos ? max_tokens : -1;
  protocol::rebuild_body(d, spec, out.body);

  out.target_index = s.target;
  out.input_tokens = input_tokens;
  out.max_tokens = spec.max_tokens < 0 ? 0 : max_tokens;
  out.turn = s.turn;
  out.request_id = (static_cast<std::uint64_t>(m.index) << 48) | (m.sequence & sequence_mask);
  ++m.sequence;

  if (s.turn == 0 && !out.repeated && m.work.repeat_ratio > 0) {
    remembered rem{s.target, s.model, s.model_plain, s.history, max_tokens};
    if (m.pool.size() < repeat_pool_size) {
      m.pool.push_back(std::move(rem));
    } else {
      m.pool[m.pool_next] = std::move(rem);
      m.pool_next = (m.pool_next + 1) % repeat_pool_size;
    }
  }
  ++s.turn;
}

void request_factory::on_response(std::size_t slot, std::string_view assistant_text, bool ok) {
  impl& m = *impl_;
  if (slot >= m.slots.size()) {
    return;
  }
  session& s = m.slots[slot];
  if (!ok) {
    s.active = false;
    s.awaiting = false;
    return;
  }
  if (s.awaiting && s.turn < s.turns) {
    message msg{"assistant", m.take_spare(), nullptr, {}, count_words(assistant_text), false};
    msg.owned.assign(assistant_text);
    s.history.push_back(std::move(msg));
  }
  s.awaiting = false;
}

bool request_factory::in_session(std::size_t slot) const noexcept {
  const impl& m = *impl_;
  if (slot >= m.slots.size()) {
    return false;
  }
  const session& s = m.slots[slot];
  return s.active && s.turn < s.turns;
}

void request_factory::end_session(std::size_t slot) noexcept {
  impl& m = *impl_;
  if (slot < m.slots.size()) {
    m.slots[slot].active = false;
    m.slots[slot].awaiting = false;
  }
}

void request_factory::set_next_sequence(std::uint64_t first) noexcept {
  impl_->sequence = first;
}

std::uint64_t request_factory::next_sequence() const noexcept {
  return impl_->sequence;
}

}  // namespace gb::plan
