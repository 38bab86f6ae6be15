#include "alloc_counter.hpp"

#include <cstdlib>
#include <new>

namespace {

thread_local bool counting = false;
thread_local std::size_t counted = 0;

}  // namespace

// Replacements of the global allocation functions for this test program only.
void* operator new(std::size_t n) {
  if (counting) {
    ++counted;
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) {
    return p;
  }
  throw std::bad_alloc();
}

void operator delete(void* p) noexcept {
  std::free(p);
}

void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace gb::test {

std::size_t allocations() noexcept {
  return counted;
}

count_allocations::count_allocations() noexcept : start_(counted) {
  counting = true;
}

count_allocations::~count_allocations() {
  counting = false;
}

std::size_t count_allocations::count() const noexcept {
  return counted - start_;
}

}  // namespace gb::test
