// conctrace's preload library, loaded into a program by `conctrace record` (LD_PRELOAD).
//
//   constructor (before main): take the CONCTRACE_RECORD_* variables out of the environment, and this library out
//     of LD_PRELOAD, so processes the program starts are not traced; mark the status pipe close-on-exec; if the
//     process has no Swift concurrency runtime, write "untraceable" and step aside; else install the global
//     executor hooks with a bootstrap callback.
//   first task creation, global job or look-up of the main executor, whichever comes first: load the tracing
//     runtime (a Swift shared library, CONCTRACE_RECORD_RUNTIME) and start it (conctrace_record_start): it installs
//     its own callbacks on the same hooks and records into the event log (CONCTRACE_RECORD_EVENT_LOG_FD). A job
//     that came meanwhile goes to it. If the runtime cannot start, the hooks are given back and the program runs untraced.
//
// The runtime is loaded at the first job rather than in the constructor: by then the program's Swift runtime has
// initialized (a constructor may run before it does). The names below are the ones RecordChannel (Swift) spells.
#define _GNU_SOURCE
#include "CConcTracePreload.h"
#include "CConcTraceHooks.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int status_descriptor = -1;
static char *configuration;  // NAME=value lines, for conctrace_record_start
static char *runtime_path;
static pthread_once_t started = PTHREAD_ONCE_INIT;

static const char *const variables[] = {
    "CONCTRACE_RECORD_PRELOAD", "CONCTRACE_RECORD_RUNTIME", "CONCTRACE_RECORD_EVENT_LOG_FD",
    "CONCTRACE_RECORD_STATUS_FD", "CONCTRACE_RECORD_WORKERS",
};

static void status(const char *word, const char *detail) {
    if (status_descriptor < 0) return;
    char line[1024];
    int length = snprintf(line, sizeof line, "%s%s%s\n", word, detail ? " " : "", detail ? detail : "");
    if (length <= 0) return;
    if (length >= (int)sizeof line) length = (int)sizeof line - 1, line[length - 1] = '\n';
    ssize_t ignored = write(status_descriptor, line, (size_t)length);
    (void)ignored;
}

/// Removes `path` from LD_PRELOAD (entries are separated by ':' or spaces); unsets it when nothing is left.
static void remove_from_preload(const char *path) {
    const char *value = getenv("LD_PRELOAD");
    if (!value || !path) return;
    size_t size = strlen(value) + 1;
    char *kept = calloc(size, 1);
    char *copy = strdup(value);
    if (!kept || !copy) { free(kept); free(copy); return; }
    char *save = NULL;
    for (char *entry = strtok_r(copy, ": ", &save); entry; entry = strtok_r(NULL, ": ", &save)) {
        if (strcmp(entry, path) == 0) continue;
        if (kept[0]) strcat(kept, ":");
        strcat(kept, entry);
    }
    if (kept[0]) setenv("LD_PRELOAD", kept, 1); else unsetenv("LD_PRELOAD");
    free(copy);
    free(kept);
}

typedef int (*start_fn)(const char *configuration);

static void start_runtime(void) {
    void *runtime = runtime_path ? dlopen(runtime_path, RTLD_NOW | RTLD_LOCAL) : NULL;
    if (!runtime) {
        status("error", runtime_path ? dlerror() : "no tracing runtime given");
        ct_hooks_uninstall();
        return;
    }
    start_fn start = (start_fn)dlsym(runtime, "conctrace_record_start");
    if (!start) {
        status("error", "the tracing runtime has no conctrace_record_start");
        ct_hooks_uninstall();
        return;
    }
    // The runtime says why on the status pipe if it cannot start.
    if (start(configuration) != 0) ct_hooks_uninstall();
}

static void bootstrap_main(void) {
    pthread_once(&started, start_runtime);
}

static void bootstrap_enqueue(void *job) {
    pthread_once(&started, start_runtime);
    ct_hooks_enqueue(job);
}

static void bootstrap_enqueue_after(uint64_t delay, void *job) {
    pthread_once(&started, start_runtime);
    ct_hooks_enqueue_after(delay, job);
}

__attribute__((constructor)) static void conctrace_preload(void) {
    const char *descriptor = getenv("CONCTRACE_RECORD_STATUS_FD");
    if (!descriptor) return;  // not started by conctrace record
    status_descriptor = atoi(descriptor);
    fcntl(status_descriptor, F_SETFD, FD_CLOEXEC);
    const char *log = getenv("CONCTRACE_RECORD_EVENT_LOG_FD");
    if (log) fcntl(atoi(log), F_SETFD, FD_CLOEXEC);

    size_t size = 1;
    for (size_t index = 0; index < sizeof variables / sizeof *variables; index++) {
        const char *value = getenv(variables[index]);
        if (value) size += strlen(variables[index]) + strlen(value) + 2;
    }
    configuration = calloc(size, 1);
    for (size_t index = 0; configuration && index < sizeof variables / sizeof *variables; index++) {
        const char *value = getenv(variables[index]);
        if (!value) continue;
        strcat(configuration, variables[index]);
        strcat(configuration, "=");
        strcat(configuration, value);
        strcat(configuration, "\n");
    }
    const char *runtime = getenv("CONCTRACE_RECORD_RUNTIME");
    runtime_path = runtime ? strdup(runtime) : NULL;
    remove_from_preload(getenv("CONCTRACE_RECORD_PRELOAD"));
    for (size_t index = 0; index < sizeof variables / sizeof *variables; index++) unsetenv(variables[index]);

    if (!ct_hooks_available()) {
        status("untraceable", NULL);
        return;
    }
    switch (ct_hooks_install(bootstrap_enqueue, bootstrap_enqueue_after)) {
    case CT_HOOKS_INSTALLED:
        ct_hooks_trigger_on_task_creation(bootstrap_main);
        ct_hooks_trigger_on_main_executor(bootstrap_main);
        break;
    case CT_HOOKS_TAKEN: status("error", "another global executor holds the runtime's hook"); break;
    default: status("untraceable", NULL); break;
    }
}
