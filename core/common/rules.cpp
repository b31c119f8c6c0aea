// Compile-time checks that the core is built the way it must be (flags come
// from project.yml through the Makefile). This file produces no code.
#if !defined(__cplusplus) || __cplusplus < 201703L
#error "the omniheap core is C++17"
#endif
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#error "the omniheap core is built with -fno-exceptions"
#endif
#if defined(__cpp_rtti) || defined(__GXX_RTTI)
#error "the omniheap core is built with -fno-rtti"
#endif
#if defined(__cpp_threadsafe_static_init)
#error "the omniheap core is built with -fno-threadsafe-statics"
#endif
