// The settings the engine's libraries read from the environment, made once, just before the first
// of them is opened (blas_loader.c, dnnl_matmul.c): OpenBLAS and oneDNN's OpenMP read theirs only
// then. A value the user set is kept (but OPENBLAS_NUM_THREADS). Not at process start: Swift on
// Linux finds the command line's arguments next to the environment, and a setenv before it has
// read them makes `tether` see none. A getenv on another thread at that moment could race it.
#include "CKernels.h"

#include <pthread.h>
#include <stdlib.h>

static void set_environment(void) {
    // No thread pool in OpenBLAS: the engine's compute pool shares its work out (pool.c).
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    // oneDNN's OpenMP team sleeps between products instead of spinning against the pool.
    setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    // OpenBLAS 0.3.21 does not know CPUs newer than it (an Emerald Rapids Xeon is taken for a
    // Prescott and multiplies on SSE3): name the kernels this CPU can run.
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 0);
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        setenv("OPENBLAS_CORETYPE", "Haswell", 0);
#endif
}

void tk_prepare_environment(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, set_environment);
}
