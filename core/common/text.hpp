// A fixed-capacity text buffer with the few formatting operations the report
// and fault messages need. No printf: keeps the C library's formatted output
// (several KiB on Cortex-M) out of firmware that does not use it.
// Internal header.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace omniheap {

template <size_t Capacity> class Text {
  static_assert(Capacity >= 2, "room for one character and the terminator");

public:
  Text() noexcept { data_[0] = '\0'; }

  const char *c_str() const noexcept { return data_; }
  size_t size() const noexcept { return length_; }
  void clear() noexcept { length_ = 0; data_[0] = '\0'; }

  // Ends the line with '\n', hands it to write(text, length) (e.g.
  // omniheap_port_write) and starts a new one.
  template <class Write> void emit(Write &&write) noexcept {
    put('\n');
    write(data_, length_);
    clear();
  }

  Text &put(char c) noexcept {
    if (length_ + 1 < Capacity) {
      data_[length_++] = c;
      data_[length_] = '\0';
    }
    return *this;
  }

  Text &put(const char *s) noexcept {
    while (s != nullptr && *s != '\0') put(*s++);
    return *this;
  }

  // `s` left-aligned in a field of `width` characters; truncated to fit.
  Text &left(const char *s, size_t width) noexcept {
    size_t n = 0;
    for (; s != nullptr && s[n] != '\0' && n < width; ++n) put(s[n]);
    for (; n < width; ++n) put(' ');
    return *this;
  }

  // `value` in decimal, right-aligned in a field of `width` characters.
  Text &right(uint64_t value, size_t width) noexcept {
    char digits[21];
    size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + value % 10U);
      value /= 10U;
    } while (value != 0U);
    for (size_t pad = n; pad < width; ++pad) put(' ');
    while (n != 0U) put(digits[--n]);
    return *this;
  }

  Text &right(const char *s, size_t width) noexcept {
    size_t n = 0;
    while (s[n] != '\0') ++n;
    for (size_t pad = n; pad < width; ++pad) put(' ');
    return put(s);
  }

  Text &decimal(uint64_t value) noexcept { return right(value, 0); }

  Text &hex(uintptr_t value) noexcept {
    put("0x");
    int shift = static_cast<int>(sizeof(value) * 8U) - 4;
    while (shift > 0 && ((value >> shift) & 0xFU) == 0U) shift -= 4;
    for (; shift >= 0; shift -= 4) put("0123456789abcdef"[(value >> shift) & 0xFU]);
    return *this;
  }

private:
  char data_[Capacity];
  size_t length_ = 0;
};

} // namespace omniheap
