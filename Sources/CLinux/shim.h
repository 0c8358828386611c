// Linux system calls that Swift's Glibc module does not export: epoll, eventfd, timerfd, CPU affinity, prctl, an
// adaptive mutex; and a cache hint (prefetch for writing) the recorder's hot path uses.
// The event loop and the system layer use them (as swift-nio's CNIOLinux does); nothing here links a library.
// No _GNU_SOURCE here: the declarations must match the ones Swift's Glibc module sees.
#ifndef CONCTRACE_CLINUX_SHIM_H
#define CONCTRACE_CLINUX_SHIM_H

#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <stdlib.h>

// A GNU extension, declared only under _GNU_SOURCE.
extern int pthread_setaffinity_np(pthread_t thread, size_t size, const cpu_set_t *set);

/// Pins the calling thread to one CPU. Returns 0 or an errno value.
static inline int ct_pin_current_thread(int cpu) {
    cpu_set_t set;
    __CPU_ZERO_S(sizeof(set), &set);
    __CPU_SET_S(cpu, sizeof(set), &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/// Initializes `mutex` as an adaptive mutex (glibc's PTHREAD_MUTEX_ADAPTIVE_NP, 3, declared only under _GNU_SOURCE):
/// a contended lock spins a little before it sleeps on a futex, so a critical section of a few hundred nanoseconds
/// held by another core costs no system call.
static inline int ct_mutex_init_adaptive(pthread_mutex_t *mutex) {
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_settype(&attributes, 3);
    int result = pthread_mutex_init(mutex, &attributes);
    pthread_mutexattr_destroy(&attributes);
    return result;
}

// GNU extensions, declared only under _GNU_SOURCE.
extern int mkostemp(char *template_, int flags);
extern int pipe2(int pipefd[2], int flags);

/// Creates a file with no name in `folder` (O_TMPFILE), open with `flags` (O_RDWR and the like). Returns the
/// descriptor, or -1 with errno set (EOPNOTSUPP where the file system cannot).
static inline int ct_open_unnamed_file(const char *folder, int flags, mode_t mode) {
    return open(folder, (020000000 | O_DIRECTORY) | flags, mode);
}

/// Makes a file from `template_` (ending in XXXXXX, replaced in place) with O_EXCL and `flags` (O_CLOEXEC).
static inline int ct_make_temporary_file(char *template_, int flags) {
    return mkostemp(template_, flags);
}

/// A pipe whose both ends are close-on-exec from the start (no child spawned meanwhile can inherit them).
/// Returns 0, or -1 with errno set.
static inline int ct_pipe_cloexec(int ends[2]) {
    return pipe2(ends, O_CLOEXEC);
}

/// Asks the kernel to send `signal` to the calling process when its parent ends (prctl is variadic in C, which
/// Swift cannot call). Returns 0, or -1 with errno set.
static inline int ct_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0UL, 0UL, 0UL);
}

/// Asks the CPU for the cache line at `address` in a state ready to be written (PREFETCHW on x86-64): the store
/// that comes later finds it owned, instead of waiting for the line to come from memory or another core. A hint:
/// it never faults and changes nothing a program can see.
static inline void ct_prefetch_for_write(const void *address) {
#if defined(__x86_64__)
    __asm__ volatile("prefetchw %0" : : "m"(*(const char *)address));
#else
    __builtin_prefetch(address, 1, 3);
#endif
}

#endif
