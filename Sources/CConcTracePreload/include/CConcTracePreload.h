// conctrace's preload library: what `conctrace record` puts in LD_PRELOAD. It has no Swift in it and needs no
// Swift runtime: in a program without one it only says so and steps aside.
#ifndef CCONCTRACE_PRELOAD_H
#define CCONCTRACE_PRELOAD_H

/// The version of the record channel this library speaks (record checks it is the one it expects).
#define CONCTRACE_PRELOAD_CHANNEL 1

#endif
