// Linux system calls that Swift's Glibc module does not export: epoll, eventfd, timerfd, CPU affinity.
// The event loop uses them (as swift-nio's CNIOLinux does); nothing here links a library.
// No _GNU_SOURCE here: the declarations must match the ones Swift's Glibc module sees.
#ifndef CONCTRACE_CLINUX_SHIM_H
#define CONCTRACE_CLINUX_SHIM_H

#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <pthread.h>

// A GNU extension, declared only under _GNU_SOURCE.
extern int pthread_setaffinity_np(pthread_t thread, size_t size, const cpu_set_t *set);

/// Pins the calling thread to one CPU. Returns 0 or an errno value.
static inline int ct_pin_current_thread(int cpu) {
    cpu_set_t set;
    __CPU_ZERO_S(sizeof(set), &set);
    __CPU_SET_S(cpu, sizeof(set), &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

#endif
