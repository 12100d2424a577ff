/* arc4random() for the binaries the packages carry (OUTBOXD_BUNDLE_LIBRARIES, cmake/linked_libraries.cmake).
 *
 * GCC 12's static libstdc++ refers to arc4random, which glibc has had only since 2.36, from the
 * object that also holds std::random_device; almost any C++ program pulls that object in (through
 * std::runtime_error's string). Left to glibc, the reference would require glibc 2.36 and keep the
 * packages off systems with an older one (RHEL 9 has 2.34). This definition, hidden in each binary,
 * answers the reference instead: the same contract (4 random bytes from the kernel's CSPRNG, never
 * failing) through getrandom(2), which glibc has had since 2.25.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/random.h>

/* Declared here rather than through <stdlib.h>, which declares arc4random with default visibility. */
extern void abort(void) __attribute__((noreturn));
__attribute__((visibility("hidden"))) uint32_t arc4random(void);

uint32_t arc4random(void) {
  uint32_t value;
  size_t filled = 0;
  while (filled < sizeof value) {
    /* Flags 0: block only until the kernel's pool is first initialised, as glibc's own does. */
    ssize_t n = getrandom((unsigned char *)&value + filled, sizeof value - filled, 0);
    if (n > 0) {
      filled += (size_t)n;
    } else if (n < 0 && errno != EINTR) {
      /* arc4random cannot report failure; a kernel without getrandom (before 3.17) is not supported. */
      abort();
    }
  }
  return value;
}
