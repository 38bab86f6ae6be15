#pragma once
// The counts of a histogram: a zero-filled array of int64 that is not cleared by a pass of its
// own. A latency histogram (1 ns .. 1 h, 3 digits) has 33,792 buckets (264 KiB) of which a run
// touches a few pages, and a run holds dozens of them per thread: filling each with zeros when it
// was made (twice, in fact) cost more CPU than starting everything else together, and a page
// fault per 4 KiB. calloc gives memory that is already zero without touching it when the memory
// is fresh from the kernel (as a run's first large allocations are: their pages are taken only
// when written), and clears it in one pass when it reuses freed memory (which is then warm).

#include <cstddef>
#include <cstdint>

namespace gb::metrics {

class count_array {
 public:
  count_array() noexcept = default;
  /// `n` zero counts. Throws std::bad_alloc when the memory cannot be had.
  explicit count_array(std::size_t n);
  /// `n` counts: the first `prefix` (<= n) copied from `from`, the rest zero (not copied: a
  /// histogram's copy writes only the counts up to its highest one). Throws std::bad_alloc.
  count_array(const std::int64_t* from, std::size_t prefix, std::size_t n);
  count_array(const count_array&) = delete;  // the owner knows how much is worth copying
  count_array& operator=(const count_array&) = delete;
  count_array(count_array&& o) noexcept : data_(o.data_), size_(o.size_) {
    o.data_ = nullptr;
    o.size_ = 0;
  }
  count_array& operator=(count_array&& o) noexcept;
  ~count_array();

  std::size_t size() const noexcept { return size_; }
  std::int64_t* data() noexcept { return data_; }
  const std::int64_t* data() const noexcept { return data_; }
  std::int64_t& operator[](std::size_t i) noexcept { return data_[i]; }
  std::int64_t operator[](std::size_t i) const noexcept { return data_[i]; }

 private:
  void release() noexcept;

  std::int64_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace gb::metrics
