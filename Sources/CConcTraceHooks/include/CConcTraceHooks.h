// The Swift concurrency runtime's executor hooks and task accessors, as conctrace's tracer uses them.
//
// Every runtime symbol is looked up at run time (dlsym), never linked: this code is also part of the library that
// `conctrace record` preloads into any program, and a program without the Swift runtime must still start. The
// runtime calls its hooks with the Swift calling convention; the trampolines here take that call and hand it to
// plain C callbacks (Swift functions with @convention(c)).
#ifndef CCONCTRACE_HOOKS_H
#define CCONCTRACE_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/// A job the runtime hands to the global executor (a task's own job, or a runtime job such as an actor's).
typedef void (*ct_enqueue_callback)(void *_Nonnull job);
/// A job to run after `delay` nanoseconds (a sleep's wake-up).
typedef void (*ct_delayed_enqueue_callback)(uint64_t delay, void *_Nonnull job);

/// What `ct_hooks_install` did.
typedef enum {
    /// The hooks are conctrace's now.
    CT_HOOKS_INSTALLED = 0,
    /// The process has no Swift concurrency runtime (or one without the hooks).
    CT_HOOKS_UNAVAILABLE = 1,
    /// Another global executor (e.g. SwiftNIO's) holds the hook already.
    CT_HOOKS_TAKEN = 2,
} ct_hooks_status;

/// Whether the process has a Swift concurrency runtime with executor hooks.
bool ct_hooks_available(void);

/// Installs conctrace's global executor hooks: every job the runtime gives the global executor goes to `enqueue`,
/// every delayed job (a sleep without a scheduling executor) to `delayed`.
ct_hooks_status ct_hooks_install(ct_enqueue_callback _Nonnull enqueue, ct_delayed_enqueue_callback _Nonnull delayed);

/// Something to do once, before the runtime's first look-up of the main executor (a program whose tasks all run on
/// the main actor never enqueues a global job).
typedef void (*ct_trigger_callback)(void);

/// Calls `trigger` (once) at the runtime's next look-up of the main executor, or when an async `main` first
/// suspends (the runtime starts draining the main queue), whichever comes first; then gives those hooks back.
void ct_hooks_trigger_on_main_executor(ct_trigger_callback _Nonnull trigger);

/// Calls `trigger` (once) at the program's next task creation, before the task is made (the first is usually the
/// async `main`'s own task).
void ct_hooks_trigger_on_task_creation(ct_trigger_callback _Nonnull trigger);

/// A task the program created without scheduling it: the runtime runs its first slice at once, on the creating
/// thread (the task of an async `main`).
typedef void (*ct_task_callback)(void *_Nonnull task);

/// Calls `callback` for every task created without being scheduled (after it is made, before it runs).
void ct_hooks_on_unscheduled_creation(ct_task_callback _Nullable callback);

/// Calls `callback` when an async `main` first suspends (the main thread starts draining the main queue): the end
/// of that task's first slice.
void ct_hooks_on_main_drain(ct_trigger_callback _Nullable callback);

/// Gives the hooks back to the runtime (only if they are still conctrace's). Jobs enqueued after this go to the
/// runtime's own global executor.
void ct_hooks_uninstall(void);

/// Hands `job` to whatever the hooks call now (the installed callback), or to the runtime's own executor when
/// they are not installed.
void ct_hooks_enqueue(void *_Nonnull job);

/// The same for a delayed job.
void ct_hooks_enqueue_after(uint64_t delay, void *_Nonnull job);

/// Hands `job` to the runtime's own global executor (the one the hooks replaced).
void ct_enqueue_on_runtime_executor(void *_Nonnull job);

/// What the program said about a task as it created it (through `swift_task_create`, which this library
/// interposes): its name, the task that created it, and whether it inherits its creator's context.
typedef struct {
    /// The name given with `Task(name:)` or `addTask(name:)`, or NULL; valid until the creation returns.
    const char *_Nullable name;
    /// The runtime id of the task that created it (0: created outside any task).
    uint64_t creator;
    /// `swift_task_create`'s flags (bit 8: a child task; bit 11: inherits its creator's context, as `Task {}` does;
    /// neither: `Task.detached`).
    size_t flags;
} ct_creation;

/// Takes the creation in progress on the calling thread, if any: the first enqueue of a new task happens inside
/// its creation, on the creating thread. Returns false when no creation is in progress (or it was taken).
bool ct_creation_take(ct_creation *_Nonnull creation);

#endif
