#include "metrics/count_array.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

namespace gb::metrics {

namespace {

std::int64_t* allocate_zeroed(std::size_t n) {
  if (n == 0) {
    return nullptr;
  }
  void* p = std::calloc(n, sizeof(std::int64_t));  // checks n * 8 for overflow
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  return static_cast<std::int64_t*>(p);
}

}  // namespace

count_array::count_array(std::size_t n) : data_(allocate_zeroed(n)), size_(n) {}

count_array::count_array(const std::int64_t* from, std::size_t prefix, std::size_t n)
    : count_array(n) {
  if (prefix > 0) {
    std::memcpy(data_, from, (prefix < n ? prefix : n) * sizeof(std::int64_t));
  }
}

count_array& count_array::operator=(count_array&& o) noexcept {
  if (this != &o) {
    release();
    data_ = o.data_;
    size_ = o.size_;
    o.data_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

count_array::~count_array() {
  release();
}

void count_array::release() noexcept {
  std::free(data_);
  data_ = nullptr;
  size_ = 0;
}

}  // namespace gb::metrics
