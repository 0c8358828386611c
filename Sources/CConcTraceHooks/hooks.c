// See CConcTraceHooks.h. Facts about the runtime (checked with Swift 6.3.1 on Linux): the hook variables and
// functions below are exported by libswift_Concurrency.so; hooks are called with the Swift calling convention;
// a job's flags word follows its metadata, reference counts and two scheduler words; `swift_task_create` is called
// by compiled code (so a definition in the program, or in a preloaded library, comes first), and a task option
// record of kind 7 carries the name of `Task(name:)`. (The executors read a job's kind, flags and task id in Swift:
// ConcTraceExecutors' RuntimeTask.)
#define _GNU_SOURCE
#include "CConcTraceHooks.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <time.h>

#define CT_SWIFTCALL __attribute__((swiftcall))

typedef void (CT_SWIFTCALL *global_original)(void *job);
typedef void (CT_SWIFTCALL *global_hook)(void *job, global_original original);
typedef void (CT_SWIFTCALL *delay_original)(unsigned long long delay, void *job);
typedef void (CT_SWIFTCALL *delay_hook)(unsigned long long delay, void *job, delay_original original);
typedef void (CT_SWIFTCALL *deadline_original)(long long seconds, long long nanoseconds, long long toleranceSeconds,
                                               long long toleranceNanoseconds, int clock, void *job);
typedef void (CT_SWIFTCALL *deadline_hook)(long long seconds, long long nanoseconds, long long toleranceSeconds,
                                           long long toleranceNanoseconds, int clock, void *job,
                                           deadline_original original);
typedef struct {
    void *identity;
    uintptr_t implementation;
} executor_ref;
typedef executor_ref (CT_SWIFTCALL *main_original)(void);
typedef executor_ref (CT_SWIFTCALL *main_hook)(main_original original);
typedef void (CT_SWIFTCALL *drain_original)(void);
typedef void (CT_SWIFTCALL *drain_hook)(drain_original original);
typedef uint64_t (CT_SWIFTCALL *job_task_id_fn)(void *job);
typedef void *(CT_SWIFTCALL *current_task_fn)(void);

static _Atomic(global_hook) *global_hook_slot;
static _Atomic(delay_hook) *delay_hook_slot;
static _Atomic(deadline_hook) *deadline_hook_slot;
static _Atomic(main_hook) *main_hook_slot;
static _Atomic(drain_hook) *drain_hook_slot;
static _Atomic(ct_trigger_callback) main_trigger;
static job_task_id_fn job_task_id;
static current_task_fn current_task;
static _Atomic(global_original) runtime_global;
static _Atomic(ct_enqueue_callback) enqueue_callback;
static _Atomic(ct_delayed_enqueue_callback) delayed_callback;
static atomic_bool installed;

/// Looks the runtime up once (the first caller wins; later ones see the same values).
static bool resolve(void) {
    static atomic_int state;  // 0: not yet, 1: found, 2: absent
    int seen = atomic_load_explicit(&state, memory_order_acquire);
    if (seen != 0) return seen == 1;
    global_hook_slot = dlsym(RTLD_DEFAULT, "swift_task_enqueueGlobal_hook");
    delay_hook_slot = dlsym(RTLD_DEFAULT, "swift_task_enqueueGlobalWithDelay_hook");
    deadline_hook_slot = dlsym(RTLD_DEFAULT, "swift_task_enqueueGlobalWithDeadline_hook");
    main_hook_slot = dlsym(RTLD_DEFAULT, "swift_task_getMainExecutor_hook");
    drain_hook_slot = dlsym(RTLD_DEFAULT, "swift_task_asyncMainDrainQueue_hook");
    job_task_id = (job_task_id_fn)dlsym(RTLD_DEFAULT, "swift_task_getJobTaskId");
    current_task = (current_task_fn)dlsym(RTLD_DEFAULT, "swift_task_getCurrent");
    bool found = global_hook_slot && delay_hook_slot && deadline_hook_slot && job_task_id && current_task;
    atomic_store_explicit(&state, found ? 1 : 2, memory_order_release);
    return found;
}

bool ct_hooks_available(void) { return resolve(); }

static CT_SWIFTCALL void on_enqueue(void *job, global_original original) {
    atomic_store_explicit(&runtime_global, original, memory_order_relaxed);
    atomic_load_explicit(&enqueue_callback, memory_order_acquire)(job);
}

static CT_SWIFTCALL void on_delay(unsigned long long delay, void *job, delay_original original) {
    (void)original;
    atomic_load_explicit(&delayed_callback, memory_order_acquire)(delay, job);
}

/// The time left until a deadline on the runtime's clock (1: continuous, CLOCK_BOOTTIME; 2: suspending,
/// CLOCK_MONOTONIC), in nanoseconds (0 when it has passed).
static uint64_t remaining(long long seconds, long long nanoseconds, int clock) {
    struct timespec now;
    clock_gettime(clock == 1 ? CLOCK_BOOTTIME : CLOCK_MONOTONIC, &now);
    long long left = (seconds - (long long)now.tv_sec) * 1000000000LL + (nanoseconds - (long long)now.tv_nsec);
    return left > 0 ? (uint64_t)left : 0;
}

static CT_SWIFTCALL void on_deadline(long long seconds, long long nanoseconds, long long toleranceSeconds,
                                     long long toleranceNanoseconds, int clock, void *job,
                                     deadline_original original) {
    (void)toleranceSeconds; (void)toleranceNanoseconds; (void)original;
    atomic_load_explicit(&delayed_callback, memory_order_acquire)(remaining(seconds, nanoseconds, clock), job);
}

ct_hooks_status ct_hooks_install(ct_enqueue_callback enqueue, ct_delayed_enqueue_callback delayed) {
    if (!resolve()) return CT_HOOKS_UNAVAILABLE;
    global_hook expected = NULL;
    if (!atomic_compare_exchange_strong(global_hook_slot, &expected, on_enqueue) && expected != on_enqueue) {
        return CT_HOOKS_TAKEN;
    }
    // Installed now (or already, by the preload library's bootstrap): the callbacks change, the trampolines stay.
    atomic_store_explicit(&delayed_callback, delayed, memory_order_release);
    atomic_store_explicit(&enqueue_callback, enqueue, memory_order_release);
    atomic_store(delay_hook_slot, on_delay);
    atomic_store(deadline_hook_slot, on_deadline);
    atomic_store_explicit(&installed, true, memory_order_release);
    return CT_HOOKS_INSTALLED;
}

static CT_SWIFTCALL executor_ref on_main_lookup(main_original original) {
    main_hook mine = on_main_lookup;
    atomic_compare_exchange_strong(main_hook_slot, &mine, NULL);
    ct_trigger_callback trigger = atomic_exchange(&main_trigger, NULL);
    if (trigger) trigger();
    return original();
}

static _Atomic(ct_trigger_callback) drain_callback;
static _Atomic(ct_task_callback) unscheduled_callback;

void ct_hooks_on_unscheduled_creation(ct_task_callback callback) { atomic_store(&unscheduled_callback, callback); }

void ct_hooks_on_main_drain(ct_trigger_callback callback) { atomic_store(&drain_callback, callback); }

static CT_SWIFTCALL void on_main_drain(drain_original original) {
    drain_hook mine = on_main_drain;
    atomic_compare_exchange_strong(drain_hook_slot, &mine, NULL);
    ct_trigger_callback trigger = atomic_exchange(&main_trigger, NULL);
    if (trigger) trigger();
    ct_trigger_callback drained = atomic_exchange(&drain_callback, NULL);
    if (drained) drained();
    original();
}

void ct_hooks_trigger_on_main_executor(ct_trigger_callback trigger) {
    if (!resolve()) return;
    atomic_store(&main_trigger, trigger);
    if (main_hook_slot) {
        main_hook expected = NULL;
        atomic_compare_exchange_strong(main_hook_slot, &expected, on_main_lookup);
    }
    if (drain_hook_slot) {
        drain_hook expected = NULL;
        atomic_compare_exchange_strong(drain_hook_slot, &expected, on_main_drain);
    }
}

void ct_hooks_uninstall(void) {
    if (!resolve()) return;
    global_hook mine = on_enqueue;
    atomic_store_explicit(&installed, false, memory_order_release);
    if (atomic_compare_exchange_strong(global_hook_slot, &mine, NULL)) {
        delay_hook expectedDelay = on_delay;
        atomic_compare_exchange_strong(delay_hook_slot, &expectedDelay, NULL);
        deadline_hook expectedDeadline = on_deadline;
        atomic_compare_exchange_strong(deadline_hook_slot, &expectedDeadline, NULL);
    }
}

void ct_hooks_enqueue(void *job) {
    if (atomic_load_explicit(&installed, memory_order_acquire)) {
        atomic_load_explicit(&enqueue_callback, memory_order_acquire)(job);
    } else {
        ct_enqueue_on_runtime_executor(job);
    }
}

void ct_hooks_enqueue_after(uint64_t delay, void *job) {
    if (atomic_load_explicit(&installed, memory_order_acquire)) {
        atomic_load_explicit(&delayed_callback, memory_order_acquire)(delay, job);
    } else {
        typedef void (CT_SWIFTCALL *enqueue_after_fn)(unsigned long long delay, void *job);
        enqueue_after_fn enqueue = (enqueue_after_fn)dlsym(RTLD_DEFAULT, "swift_task_enqueueGlobalWithDelay");
        if (enqueue) enqueue(delay, job); else ct_enqueue_on_runtime_executor(job);
    }
}

void ct_enqueue_on_runtime_executor(void *job) {
    global_original original = atomic_load_explicit(&runtime_global, memory_order_relaxed);
    if (original) {
        original(job);
        return;
    }
    // No hooked call seen yet: the public entry point, which goes to the runtime's executor once unhooked.
    typedef void (CT_SWIFTCALL *enqueue_fn)(void *job);
    enqueue_fn enqueue = (enqueue_fn)dlsym(RTLD_DEFAULT, "swift_task_enqueueGlobal");
    if (enqueue) enqueue(job);
}

/// The task running on the calling thread, or NULL.
static void *running_task(void) { return resolve() ? current_task() : NULL; }

// MARK: Task creation

static _Atomic(ct_trigger_callback) creation_trigger;

void ct_hooks_trigger_on_task_creation(ct_trigger_callback trigger) {
    atomic_store(&creation_trigger, trigger);
}

static __thread ct_creation creation_slot;
static __thread bool creation_pending;

bool ct_creation_take(ct_creation *creation) {
    if (!creation_pending) return false;
    creation_pending = false;
    *creation = creation_slot;
    return true;
}

typedef struct {
    void *task;
    void *context;
} ct_task_and_context;

typedef ct_task_and_context (CT_SWIFTCALL *task_create_fn)(size_t flags, void *options, const void *resultType,
                                                           void *entry, void *context);

/// A task option record (swift/ABI/TaskOptions.h): its kind in the low byte of its flags, then its parent.
struct task_option {
    size_t flags;
    struct task_option *parent;
    const char *name;  // kind 7 (a task name) only
};

enum { TASK_OPTION_NAME = 7 };

CT_SWIFTCALL ct_task_and_context swift_task_create(size_t flags, void *options, const void *resultType, void *entry,
                                                   void *context);

/// Every task the program creates passes here first: the creation slot says its name and its creator to the
/// executor that receives its first job, then the runtime's own `swift_task_create` does the work.
CT_SWIFTCALL ct_task_and_context swift_task_create(size_t flags, void *options, const void *resultType, void *entry,
                                                   void *context) {
    static _Atomic(task_create_fn) real;
    task_create_fn create = atomic_load_explicit(&real, memory_order_acquire);
    if (!create) {
        create = (task_create_fn)dlsym(RTLD_NEXT, "swift_task_create");
        atomic_store_explicit(&real, create, memory_order_release);
    }
    if (atomic_load_explicit(&creation_trigger, memory_order_relaxed)) {
        ct_trigger_callback trigger = atomic_exchange(&creation_trigger, NULL);
        if (trigger) trigger();
    }
    const char *name = NULL;
    for (struct task_option *option = options; option; option = option->parent) {
        if ((option->flags & 0xff) == TASK_OPTION_NAME) name = option->name;
    }
    void *creator = running_task();
    creation_slot = (ct_creation){ .name = name, .creator = creator ? job_task_id(creator) : 0, .flags = flags };
    creation_pending = true;
    ct_task_and_context created = create(flags, options, resultType, entry, context);
    creation_pending = false;
    enum { TASK_CREATE_ENQUEUE = 1 << 12 };
    ct_task_callback unscheduled = atomic_load_explicit(&unscheduled_callback, memory_order_acquire);
    if (!(flags & TASK_CREATE_ENQUEUE) && unscheduled && created.task) unscheduled(created.task);
    return created;
}
