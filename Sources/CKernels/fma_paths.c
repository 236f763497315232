// Which kernels run where this CPU's bf16 dot product is slow against its f32 FMA, measured once
// per process (a short run of vdpbf16ps and one of f32 FMAs on this thread, best of many): there
// oneDNN's bf16 products run at that slow rate, and the two of the hi + lo split (f32) at half of
// it, so products of more than GEMV_MAX_ROWS rows on weights in the strip layout run Tether's
// f32-FMA kernel (strip_product.c) — f32 products of f32 activations, as transformers computes,
// or of x rounded to bf16 in bf16 precision — the GEMV's rows past one pass run its FMA form
// (gemv.c), and bf16 attention its FMA kernels (attention.c).
#include "packed.h"

#include <stdatomic.h>
#include <time.h>
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define TK_GEMV_X86 1
#endif

static atomic_int f32_mode = -1;  // -1: measure; else fma_paths' bits

#if TK_HAVE_DNNL_HEADERS

#if TK_GEMV_X86
static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

// Multiply-adds a second of 12 independent chains of one instruction, over ~20 µs: short enough
// that most runs see no preemption on a loaded machine, so the best of many is the CPU's rate.
__attribute__((target("avx512f,avx512bf16"), noinline)) static double bf16_dot_rate(void) {
    __m512 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm512_setzero_ps();
    __m512bh a = (__m512bh)_mm512_set1_epi16(0x3f80);
    const long iterations = 10000;
    const double start = seconds_now();
    for (long it = 0; it < iterations; it++) {
        for (int i = 0; i < 12; i++) acc[i] = _mm512_dpbf16_ps(acc[i], a, a);
        __asm__ volatile("" : "+v"(a));
    }
    const double took = seconds_now() - start;
    volatile float sink = 0;
    for (int i = 0; i < 12; i++) sink += _mm512_reduce_add_ps(acc[i]);
    return iterations * 12.0 * 32 / took;
}

__attribute__((target("avx512f"), noinline)) static double f32_fma_rate(void) {
    __m512 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm512_setzero_ps();
    __m512 a = _mm512_set1_ps(1e-9f);
    const long iterations = 10000;
    const double start = seconds_now();
    for (long it = 0; it < iterations; it++) {
        for (int i = 0; i < 12; i++) acc[i] = _mm512_fmadd_ps(a, a, acc[i]);
        __asm__ volatile("" : "+v"(a));
    }
    const double took = seconds_now() - start;
    volatile float sink = 0;
    for (int i = 0; i < 12; i++) sink += _mm512_reduce_add_ps(acc[i]);
    return iterations * 12.0 * 16 / took;
}
#endif

// Bit 0: f32 products (split) run the f32-FMA kernel — the bf16 dot product does fewer than 1.5×
// the multiply-adds of an f32 FMA a second (the split needs two bf16 products; on AMD Zen 4 it
// does ~2.7×, on the Intel Xeon of docs/benchmarks.md 0.55×); bit 1: bf16 products do too — it
// does fewer than 0.8× (the kernel reaches ~80 % of the FMA's peak). CPUs with AVX-512 but not
// its bf16 instructions take both; without AVX-512, neither. Best of 30 interleaved measurements
// each (~1 ms in all).
static int fma_paths(void) {
    int mode = atomic_load(&f32_mode);
    if (mode >= 0) return mode;
#if TK_GEMV_X86
    if (!__builtin_cpu_supports("avx512f")) {
        mode = 0;
    } else if (!__builtin_cpu_supports("avx512bf16")) {
        mode = 3;
    } else {
        double bf16 = 0, fma = 0;
        for (int i = 0; i < 30; i++) {
            const double b = bf16_dot_rate(), f = f32_fma_rate();
            bf16 = b > bf16 ? b : bf16;
            fma = f > fma ? f : fma;
        }
        mode = (bf16 < 1.5 * fma ? 1 : 0) | (bf16 < 0.8 * fma ? 2 : 0);
    }
#else
    mode = 0;
#endif
    atomic_store(&f32_mode, mode);
    return mode;
}

#endif

void tk_dnnl_set_products_on_fma(int mode) { atomic_store(&f32_mode, mode < 0 ? -1 : (mode > 0 ? 3 : 0)); }

int tk_dnnl_products_on_fma(int split) {
#if TK_HAVE_DNNL_HEADERS
    return (fma_paths() >> (split ? 0 : 1)) & 1;
#else
    (void)split;
    return 0;
#endif
}
