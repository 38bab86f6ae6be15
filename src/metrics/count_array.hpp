#pragma once
// The counts of a histogram: a zero-filled array of int64 whose memory costs nothing until it is
// written. A latency histogram (1 ns .. 1 h, 3 digits) has 33,792 buckets (264 KiB) of which a
// run touches a few pages, and a run holds dozens of them per thread: filling them with zeros
// up front cost more CPU than starting everything else together, and a page fault per 4 KiB.
// Large arrays are therefore mapped from the kernel (anonymous memory reads as zero and takes
// a page only when written); small ones come from calloc.

#include <cstddef>
#include <cstdint>

namespace gb::metrics {

class count_array {
 public:
  count_array() noexcept = default;
  /// `n` zero counts. Throws std::bad_alloc when the memory cannot be had.
  explicit count_array(std::size_t n);
  /// `n` counts: the first `prefix` (<= n) copied from `from`, the rest zero. Writes only the
  /// copied ones (so a copy of a sparse array stays sparse). Throws std::bad_alloc.
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
