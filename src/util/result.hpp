#pragma once
// A small result type: a value or an error message (std::expected is C++23).

#include <string>
#include <utility>
#include <variant>

namespace gb {

/// An error that says what was wrong, in words a user can act on.
struct error {
  std::string message;
};

/// Either a T or an error. Check with `ok()` (or `if (r)`) before `value()`.
template <class T>
class result {
 public:
  result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  result(error e) : v_(std::move(e)) {}      // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }

  /// The error message; only valid when !ok().
  const std::string& message() const { return std::get<1>(v_).message; }
  const error& err() const { return std::get<1>(v_); }

 private:
  std::variant<T, error> v_;
};

/// Success or an error, for operations with no value.
class status {
 public:
  status() = default;
  status(error e) : msg_(std::move(e.message)), failed_(true) {}  // NOLINT

  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  const std::string& message() const { return msg_; }

 private:
  std::string msg_;
  bool failed_ = false;
};

/// Builds an error from pieces: fail("bad value '", v, "'").
template <class... Parts>
error fail(Parts&&... parts) {
  std::string s;
  (s.append(std::forward<Parts>(parts)), ...);
  return error{std::move(s)};
}

}  // namespace gb
