#include "metrics/count_array.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace gb::metrics {

namespace {

// From this size on an array gets its own mapping (calloc would often have to clear memory it
// reuses, and clearing is what this class avoids). Below it, a mapping's page rounding and
// system calls cost more than they save.
constexpr std::size_t k_map_bytes = 64 * 1024;

bool mapped(std::size_t n) noexcept {
  return n * sizeof(std::int64_t) >= k_map_bytes;
}

std::int64_t* allocate_zeroed(std::size_t n) {
  if (n == 0) {
    return nullptr;
  }
  if (n > SIZE_MAX / sizeof(std::int64_t)) {
    throw std::bad_alloc();
  }
  void* p = nullptr;
  if (mapped(n)) {
    p = ::mmap(nullptr, n * sizeof(std::int64_t), PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      throw std::bad_alloc();
    }
  } else {
    p = std::calloc(n, sizeof(std::int64_t));
    if (p == nullptr) {
      throw std::bad_alloc();
    }
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
  if (data_ == nullptr) {
    return;
  }
  if (mapped(size_)) {
    ::munmap(data_, size_ * sizeof(std::int64_t));
  } else {
    std::free(data_);
  }
  data_ = nullptr;
  size_ = 0;
}

}  // namespace gb::metrics
