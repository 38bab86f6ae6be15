#pragma once
// Counts heap allocations made by the current thread while a scope is active, to check the
// "no allocation per event once warm" promises of the protocol parsers.

#include <cstddef>

namespace gb::test {

/// Allocations counted so far on this thread while counting was on.
std::size_t allocations() noexcept;

class count_allocations {
 public:
  count_allocations() noexcept;
  ~count_allocations();
  count_allocations(const count_allocations&) = delete;
  count_allocations& operator=(const count_allocations&) = delete;
  /// Allocations made on this thread since this object was created.
  std::size_t count() const noexcept;

 private:
  std::size_t start_;
};

}  // namespace gb::test
