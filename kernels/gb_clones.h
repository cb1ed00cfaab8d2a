/* GB_TARGET_CLONES(...): a function compiled for several targets and picked at load time by
 * an ifunc resolver (GCC and clang target_clones), or a plain function where that cannot work:
 * off x86-64, and in sanitizer builds, because the resolvers run while the program is being
 * relocated, before the sanitizer runtime has started (AddressSanitizer's start-up does not mix
 * with them; under ThreadSanitizer clang instruments the resolver itself, which then crashes
 * on its first line: docs/SANITIZERS.md). */
#ifndef GB_CLONES_H
#define GB_CLONES_H

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GB_CLONES_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GB_CLONES_SANITIZED 1
#endif

#if defined(__x86_64__) && !defined(GB_CLONES_SANITIZED)
#define GB_TARGET_CLONES(...) __attribute__((target_clones(__VA_ARGS__)))
#else
#define GB_TARGET_CLONES(...)
#endif

#endif
