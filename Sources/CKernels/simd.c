// Which vector instructions the engine's own C kernels use: the widest this CPU has (AVX-512,
// else AVX2 with FMA, else portable C), found once; tests narrow it to run every path.
#include "CKernels.h"

#include <stdatomic.h>

static atomic_int limit = 2;

static int found_level(void) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    static atomic_int found = -1;
    int level = atomic_load_explicit(&found, memory_order_relaxed);
    if (level < 0) {
        level = __builtin_cpu_supports("avx512f") ? 2 : (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0);
        atomic_store_explicit(&found, level, memory_order_relaxed);
    }
    return level;
#else
    return 0;
#endif
}

int tk_simd_level(void) {
    const int found = found_level(), most = atomic_load_explicit(&limit, memory_order_relaxed);
    return found < most ? found : most;
}

void tk_limit_simd(int level) { atomic_store(&limit, level < 0 ? 0 : (level > 2 ? 2 : level)); }
