// conctrace's preload library: what `conctrace record` puts in LD_PRELOAD (preload.c says what it does). It has no
// Swift in it, and only looks the Swift runtime up: in a program without one it says so and steps aside. Nothing
// here is for other code to call.
#ifndef CCONCTRACE_PRELOAD_H
#define CCONCTRACE_PRELOAD_H
#endif
