#pragma once

#include <string_view>

namespace gb::app {

/// gatebench's version ("0.1.0") and the git revision it was built from ("unknown" outside git).
std::string_view version() noexcept;
std::string_view git_revision() noexcept;

}  // namespace gb::app
